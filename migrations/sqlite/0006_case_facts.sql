-- The facts of every case (incident × affected customer), kept for the analytics so that no
-- read scans the raw actions and replies again: what was given (a bit set over the action
-- kinds, in the order the application lists them), when first, and the sums of the replies
-- that count for the case (linked to it, or unlinked and received within 30 days after its
-- incident started, for the latest such incident). Plus the incident's and customer's
-- columns the analytics filter and follow on. `line` is the whole case as one line of text,
-- `customer signed_up churned kinds first_action actions replies`, where `actions` is
-- `kind,cost,currency,given_at;…` and `replies` is `received_at,score,csat;…` (in id order,
-- scores written exactly, empty for none): a period's facts are read as one row per
-- incident, its cases' lines joined, instead of one row per action and reply.
--
-- Every change to the rows these are made from names its customer in `facts_dirty` (the
-- triggers below); the same transaction then makes those customers' facts again from the
-- raw rows and empties `facts_dirty` before it commits (`server/src/store/facts.rs`). A
-- change made around the application (plain SQL) leaves its customers listed, and the next
-- read of the facts brings them up to date first. `amends rebuild-facts` makes them all
-- again.
CREATE TABLE case_facts (
    incident_id     INTEGER NOT NULL,
    customer_id     INTEGER NOT NULL,
    started_at      INTEGER NOT NULL,
    detected_at     INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    severity        TEXT    NOT NULL,
    plan            TEXT    NOT NULL,
    signed_up_at    INTEGER NOT NULL,
    churned_at      INTEGER,
    kinds           INTEGER NOT NULL,
    first_action_at INTEGER,
    actions         INTEGER NOT NULL,
    replies         INTEGER NOT NULL,
    score_sum       REAL    NOT NULL,
    score_squares   REAL    NOT NULL,
    positive        INTEGER NOT NULL,
    csat_answers    INTEGER NOT NULL,
    csat_satisfied  INTEGER NOT NULL,
    line            TEXT    NOT NULL,
    -- Kept in the order periods are read: by incident start, each incident's cases together.
    PRIMARY KEY (started_at, incident_id, customer_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX case_facts_case ON case_facts (incident_id, customer_id);
CREATE INDEX case_facts_customer ON case_facts (customer_id, started_at);

-- Each customer once. The triggers test before they insert: an INSERT OR IGNORE inside a
-- trigger takes the conflict policy of the statement that fired it (a cascade aborts).
CREATE TABLE facts_dirty (
    customer_id INTEGER PRIMARY KEY
) STRICT;

CREATE TRIGGER affected_customers_insert_facts AFTER INSERT ON affected_customers
BEGIN INSERT INTO facts_dirty SELECT NEW.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = NEW.customer_id); END;
CREATE TRIGGER affected_customers_update_facts AFTER UPDATE ON affected_customers
BEGIN
    INSERT INTO facts_dirty SELECT OLD.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = OLD.customer_id);
    INSERT INTO facts_dirty SELECT NEW.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = NEW.customer_id);
END;
CREATE TRIGGER affected_customers_delete_facts AFTER DELETE ON affected_customers
BEGIN INSERT INTO facts_dirty SELECT OLD.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = OLD.customer_id); END;

CREATE TRIGGER recovery_actions_insert_facts AFTER INSERT ON recovery_actions
BEGIN INSERT INTO facts_dirty SELECT NEW.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = NEW.customer_id); END;
CREATE TRIGGER recovery_actions_update_facts AFTER UPDATE ON recovery_actions
BEGIN
    INSERT INTO facts_dirty SELECT OLD.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = OLD.customer_id);
    INSERT INTO facts_dirty SELECT NEW.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = NEW.customer_id);
END;
CREATE TRIGGER recovery_actions_delete_facts AFTER DELETE ON recovery_actions
BEGIN INSERT INTO facts_dirty SELECT OLD.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = OLD.customer_id); END;

CREATE TRIGGER replies_insert_facts AFTER INSERT ON replies
BEGIN INSERT INTO facts_dirty SELECT NEW.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = NEW.customer_id); END;
CREATE TRIGGER replies_update_facts AFTER UPDATE ON replies
BEGIN
    INSERT INTO facts_dirty SELECT OLD.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = OLD.customer_id);
    INSERT INTO facts_dirty SELECT NEW.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = NEW.customer_id);
END;
CREATE TRIGGER replies_delete_facts AFTER DELETE ON replies
BEGIN INSERT INTO facts_dirty SELECT OLD.customer_id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = OLD.customer_id); END;

CREATE TRIGGER customers_update_facts AFTER UPDATE OF plan, signed_up_at, churned_at ON customers
BEGIN INSERT INTO facts_dirty SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM facts_dirty WHERE customer_id = NEW.id); END;

CREATE TRIGGER incidents_update_facts AFTER UPDATE OF started_at, detected_at, kind, severity ON incidents
BEGIN
    INSERT INTO facts_dirty
    SELECT a.customer_id FROM affected_customers a WHERE a.incident_id = NEW.id
      AND NOT EXISTS (SELECT 1 FROM facts_dirty d WHERE d.customer_id = a.customer_id);
END;
CREATE TRIGGER incidents_delete_facts BEFORE DELETE ON incidents
BEGIN
    INSERT INTO facts_dirty
    SELECT a.customer_id FROM affected_customers a WHERE a.incident_id = OLD.id
      AND NOT EXISTS (SELECT 1 FROM facts_dirty d WHERE d.customer_id = a.customer_id);
END;

-- Every existing customer with a case starts listed; the first write or read makes them.
INSERT INTO facts_dirty SELECT DISTINCT customer_id FROM affected_customers;
