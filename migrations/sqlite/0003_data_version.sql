-- A counter that moves on every change to the data behind the analytics. Each process
-- caches analytics keyed by it, so a cached figure is never served after a change, whichever
-- process made the change.
CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO data_version (id, version) VALUES (1, 1);
CREATE TRIGGER customers_insert_data_version AFTER INSERT ON customers
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER customers_update_data_version AFTER UPDATE ON customers
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER customers_delete_data_version AFTER DELETE ON customers
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER incidents_insert_data_version AFTER INSERT ON incidents
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER incidents_update_data_version AFTER UPDATE ON incidents
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER incidents_delete_data_version AFTER DELETE ON incidents
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER affected_customers_insert_data_version AFTER INSERT ON affected_customers
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER affected_customers_update_data_version AFTER UPDATE ON affected_customers
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER affected_customers_delete_data_version AFTER DELETE ON affected_customers
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER recovery_actions_insert_data_version AFTER INSERT ON recovery_actions
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER recovery_actions_update_data_version AFTER UPDATE ON recovery_actions
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER recovery_actions_delete_data_version AFTER DELETE ON recovery_actions
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER replies_insert_data_version AFTER INSERT ON replies
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER replies_update_data_version AFTER UPDATE ON replies
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER replies_delete_data_version AFTER DELETE ON replies
BEGIN UPDATE data_version SET version = version + 1; END;

-- Unlinked replies are attributed by customer and time; cases are read by incident start.
CREATE INDEX replies_unlinked ON replies (customer_id, received_at) WHERE incident_id IS NULL;
