-- A counter that moves on every change to the data behind the analytics. Each process
-- caches analytics keyed by it, so a cached figure is never served after a change, whichever
-- process made the change.
CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER customers_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON customers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER incidents_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER affected_customers_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON affected_customers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER recovery_actions_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON recovery_actions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER replies_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON replies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();

-- Unlinked replies are attributed by customer and time; cases are read by incident start.
CREATE INDEX replies_unlinked ON replies (customer_id, received_at) WHERE incident_id IS NULL;
