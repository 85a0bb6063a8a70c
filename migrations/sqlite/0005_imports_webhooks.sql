-- Data that arrives by itself: natural keys that make bulk imports and webhook deliveries
-- idempotent, the webhook sources, and the inbox of deliveries as received.

-- A reply's id in the system it came from (a helpdesk message id, a CSV's external_id), or
-- `sha256:` + the hash of customer, received at and body when it has none. Replies typed in
-- by hand have none.
ALTER TABLE replies ADD COLUMN external_id TEXT CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 200);
CREATE UNIQUE INDEX replies_external_id ON replies (external_id);

-- The same for recovery actions (a Stripe credit note id, a CSV's external_id).
ALTER TABLE recovery_actions ADD COLUMN external_id TEXT CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 200);
CREATE UNIQUE INDEX recovery_actions_external_id ON recovery_actions (external_id);

-- Where webhooks come from. The signing secret is kept as it is: verifying an HMAC needs it
-- (and Stripe's and the helpdesk's are made by them). During a rotation the previous secret
-- is still accepted until `previous_until`.
CREATE TABLE webhook_sources (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (kind IN ('standard', 'stripe', 'intercom')),
    name             TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    slug             TEXT    NOT NULL UNIQUE CHECK (length(slug) = 32),
    secret           TEXT    NOT NULL CHECK (length(secret) BETWEEN 8 AND 200),
    previous_secret  TEXT    CHECK (previous_secret IS NULL OR length(previous_secret) BETWEEN 8 AND 200),
    previous_until   INTEGER,
    acts_as          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at       INTEGER NOT NULL,
    rejected         INTEGER NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    last_rejected_at INTEGER,
    last_rejection   TEXT
) STRICT;

-- Every verified delivery, stored before it is processed. `delivery_id` is the sender's id
-- for it (webhook-id, the Stripe event id, the helpdesk notification id): a retried delivery
-- finds its row and changes nothing.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES webhook_sources (id) ON DELETE CASCADE,
    delivery_id  TEXT    NOT NULL CHECK (length(delivery_id) BETWEEN 1 AND 200),
    event_type   TEXT    NOT NULL CHECK (length(event_type) <= 100),
    received_at  INTEGER NOT NULL,
    body         TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'processed', 'ignored', 'held', 'failed')),
    outcome      TEXT    NOT NULL DEFAULT '' CHECK (length(outcome) <= 1000),
    attempts     INTEGER NOT NULL DEFAULT 0,
    processed_at INTEGER,
    UNIQUE (source_id, delivery_id)
) STRICT;
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (source_id, received_at DESC);
CREATE INDEX webhook_deliveries_status ON webhook_deliveries (status, received_at);

-- Deliveries refused before anything was stored (unknown source, bad signature, stale
-- timestamp), counted by day and reason.
CREATE TABLE webhook_rejections (
    day     INTEGER NOT NULL,
    reason  TEXT    NOT NULL CHECK (length(reason) <= 60),
    count   INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (day, reason)
) STRICT;
