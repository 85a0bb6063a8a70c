-- Sign-in throttling counts recent failures per client address and per account.
CREATE INDEX audit_log_ip ON audit_log (ip, at);
CREATE INDEX audit_log_action ON audit_log (action, entity, entity_id, at);
