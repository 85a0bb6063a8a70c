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
-- raw rows and empties `facts_dirty` before it commits (`server/src/store/facts.rs`), so
-- other sessions never see its rows. A change made around the application (plain SQL)
-- leaves its customers listed, and the next read of the facts brings them up to date first.
-- `amends rebuild-facts` makes them all again.
CREATE TABLE case_facts (
    incident_id     BIGINT           NOT NULL,
    customer_id     BIGINT           NOT NULL,
    started_at      BIGINT           NOT NULL,
    detected_at     BIGINT           NOT NULL,
    kind            TEXT             NOT NULL,
    severity        TEXT             NOT NULL,
    plan            TEXT             NOT NULL,
    signed_up_at    BIGINT           NOT NULL,
    churned_at      BIGINT,
    kinds           BIGINT           NOT NULL,
    first_action_at BIGINT,
    actions         BIGINT           NOT NULL,
    replies         BIGINT           NOT NULL,
    score_sum       DOUBLE PRECISION NOT NULL,
    score_squares   DOUBLE PRECISION NOT NULL,
    positive        BIGINT           NOT NULL,
    csat_answers    BIGINT           NOT NULL,
    csat_satisfied  BIGINT           NOT NULL,
    line            TEXT             NOT NULL,
    PRIMARY KEY (incident_id, customer_id)
);
CREATE INDEX case_facts_started ON case_facts (started_at);
CREATE INDEX case_facts_customer ON case_facts (customer_id, started_at);

-- No key: concurrent transactions each list their own customers without waiting on one
-- another; the refresh reads them DISTINCT.
CREATE TABLE facts_dirty (
    customer_id BIGINT NOT NULL
);

CREATE FUNCTION facts_dirty_from_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO facts_dirty SELECT DISTINCT customer_id FROM new_rows;
    RETURN NULL;
END
$$;
CREATE FUNCTION facts_dirty_from_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO facts_dirty SELECT DISTINCT customer_id FROM old_rows;
    RETURN NULL;
END
$$;
CREATE FUNCTION facts_dirty_from_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO facts_dirty
    SELECT customer_id FROM old_rows UNION SELECT customer_id FROM new_rows;
    RETURN NULL;
END
$$;

CREATE TRIGGER affected_customers_insert_facts AFTER INSERT ON affected_customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_new();
CREATE TRIGGER affected_customers_update_facts AFTER UPDATE ON affected_customers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_both();
CREATE TRIGGER affected_customers_delete_facts AFTER DELETE ON affected_customers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_old();

CREATE TRIGGER recovery_actions_insert_facts AFTER INSERT ON recovery_actions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_new();
CREATE TRIGGER recovery_actions_update_facts AFTER UPDATE ON recovery_actions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_both();
CREATE TRIGGER recovery_actions_delete_facts AFTER DELETE ON recovery_actions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_old();

CREATE TRIGGER replies_insert_facts AFTER INSERT ON replies
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_new();
CREATE TRIGGER replies_update_facts AFTER UPDATE ON replies
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_both();
CREATE TRIGGER replies_delete_facts AFTER DELETE ON replies
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_old();

CREATE FUNCTION facts_dirty_from_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO facts_dirty
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.plan, n.signed_up_at, n.churned_at) IS DISTINCT FROM (o.plan, o.signed_up_at, o.churned_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER customers_update_facts AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_customers();

CREATE FUNCTION facts_dirty_from_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO facts_dirty
    SELECT DISTINCT a.customer_id
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    JOIN affected_customers a ON a.incident_id = n.id
    WHERE (n.started_at, n.detected_at, n.kind, n.severity)
          IS DISTINCT FROM (o.started_at, o.detected_at, o.kind, o.severity);
    RETURN NULL;
END
$$;
CREATE TRIGGER incidents_update_facts AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION facts_dirty_from_incidents();
-- A deleted incident's cases go with their affected_customers rows, whose trigger lists them.

-- Every existing customer with a case starts listed; the first write or read makes them.
INSERT INTO facts_dirty SELECT DISTINCT customer_id FROM affected_customers;
