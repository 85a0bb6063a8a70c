-- Holdout experiments: a recovery action given to a selection of an incident's affected
-- customers with a share of them held out at random. The draw is reproducible from `seed`
-- (see `app/src/domain/experiment.rs`); each selected customer's arm is kept in
-- `experiment_arms`. Held-out customers get nothing from the action, or only the control
-- action (with no value and no cost) when one is named.
CREATE TABLE experiments (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('credit', 'refund', 'gift', 'apology', 'proactive_contact', 'discount', 'other')),
    control_kind TEXT    CHECK (control_kind IS NULL OR (control_kind IN ('credit', 'refund', 'gift', 'apology', 'proactive_contact', 'discount', 'other') AND control_kind <> kind)),
    share_pct    INTEGER NOT NULL CHECK (share_pct BETWEEN 1 AND 50),
    -- The u64 seed as decimal text (it may not fit a signed 64-bit integer).
    seed         TEXT    NOT NULL CHECK (length(seed) BETWEEN 1 AND 20),
    started_at   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX experiments_incident ON experiments (incident_id);
CREATE INDEX experiments_started ON experiments (started_at DESC, id DESC);

CREATE TABLE experiment_arms (
    experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    incident_id   INTEGER NOT NULL,
    customer_id   INTEGER NOT NULL,
    held_out      INTEGER NOT NULL CHECK (held_out IN (0, 1)),
    PRIMARY KEY (experiment_id, customer_id),
    FOREIGN KEY (incident_id, customer_id) REFERENCES affected_customers (incident_id, customer_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX experiment_arms_case ON experiment_arms (incident_id, customer_id);

-- Arms are written with their experiment and leave with their case, both of which move the
-- data version already; an experiment itself moves it too.
CREATE TRIGGER experiments_insert_data_version AFTER INSERT ON experiments
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER experiments_delete_data_version AFTER DELETE ON experiments
BEGIN UPDATE data_version SET version = version + 1; END;
