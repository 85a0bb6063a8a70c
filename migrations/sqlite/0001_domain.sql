-- Amends domain schema (SQLite). Instants are INTEGER milliseconds since the Unix epoch (UTC);
-- money is INTEGER minor units plus an ISO 4217 code. See docs/ARCHITECTURE.md for why.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    password_hash TEXT    NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL CHECK (expires_at >= created_at)
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE customers (
    id                    INTEGER PRIMARY KEY,
    external_ref          TEXT    NOT NULL UNIQUE CHECK (length(external_ref) BETWEEN 1 AND 200),
    name                  TEXT    NOT NULL CHECK (length(name) <= 200),
    email                 TEXT    CHECK (email IS NULL OR (length(email) BETWEEN 3 AND 254 AND email = lower(email))),
    plan                  TEXT    NOT NULL DEFAULT 'unknown' CHECK (length(plan) BETWEEN 1 AND 60),
    monthly_revenue_minor INTEGER NOT NULL DEFAULT 0 CHECK (monthly_revenue_minor >= 0),
    currency              TEXT    NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3 AND currency = upper(currency)),
    signed_up_at          INTEGER NOT NULL,
    churned_at            INTEGER CHECK (churned_at IS NULL OR churned_at >= signed_up_at),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
) STRICT;
CREATE INDEX customers_email ON customers (email);
CREATE INDEX customers_name ON customers (name);
CREATE INDEX customers_plan ON customers (plan);
CREATE INDEX customers_churned ON customers (churned_at);
CREATE INDEX customers_signed_up ON customers (signed_up_at);

CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    kind        TEXT    NOT NULL CHECK (kind IN ('outage', 'degradation', 'bug', 'data_loss', 'billing_error', 'security', 'other')),
    severity    TEXT    NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3', 'sev4')),
    status      TEXT    NOT NULL CHECK (status IN ('open', 'mitigated', 'resolved')),
    started_at  INTEGER NOT NULL,
    detected_at INTEGER NOT NULL CHECK (detected_at >= started_at),
    resolved_at INTEGER CHECK (resolved_at IS NULL OR resolved_at >= started_at),
    owner_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
) STRICT;
CREATE INDEX incidents_started ON incidents (started_at DESC, id DESC);
CREATE INDEX incidents_status ON incidents (status, started_at);
CREATE INDEX incidents_severity ON incidents (severity, started_at);
CREATE INDEX incidents_kind ON incidents (kind, started_at);
CREATE INDEX incidents_resolved ON incidents (resolved_at);
CREATE INDEX incidents_owner ON incidents (owner_id);

CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('created', 'status', 'note', 'edit')),
    from_status TEXT    CHECK (from_status IS NULL OR from_status IN ('open', 'mitigated', 'resolved')),
    to_status   TEXT    CHECK (to_status IS NULL OR to_status IN ('open', 'mitigated', 'resolved')),
    note        TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 5000),
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    CHECK (kind <> 'status' OR to_status IS NOT NULL)
) STRICT;
CREATE INDEX incident_events_incident ON incident_events (incident_id, at);

CREATE TABLE affected_customers (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    source      TEXT    NOT NULL CHECK (source IN ('manual', 'import', 'api')),
    added_at    INTEGER NOT NULL,
    added_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (incident_id, customer_id)
) STRICT;
CREATE INDEX affected_customers_customer ON affected_customers (customer_id, incident_id);

CREATE TABLE recovery_actions (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('credit', 'refund', 'gift', 'apology', 'proactive_contact', 'discount', 'other')),
    value_minor INTEGER NOT NULL CHECK (value_minor >= 0),
    cost_minor  INTEGER NOT NULL CHECK (cost_minor >= 0),
    currency    TEXT    NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'phone', 'chat', 'in_app', 'mail')),
    note        TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 5000),
    given_at    INTEGER NOT NULL,
    given_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    FOREIGN KEY (incident_id, customer_id) REFERENCES affected_customers (incident_id, customer_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX recovery_actions_case ON recovery_actions (incident_id, customer_id, given_at);
CREATE INDEX recovery_actions_customer ON recovery_actions (customer_id);
CREATE INDEX recovery_actions_kind ON recovery_actions (kind, given_at);
CREATE INDEX recovery_actions_given ON recovery_actions (given_at);

CREATE TABLE replies (
    id               INTEGER PRIMARY KEY,
    customer_id      INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    incident_id      INTEGER REFERENCES incidents (id) ON DELETE SET NULL,
    action_id        INTEGER REFERENCES recovery_actions (id) ON DELETE SET NULL,
    channel          TEXT    NOT NULL CHECK (channel IN ('email', 'phone', 'chat', 'in_app', 'mail')),
    received_at      INTEGER NOT NULL,
    body             TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    csat             INTEGER CHECK (csat IS NULL OR csat BETWEEN 1 AND 5),
    sentiment_auto   REAL    NOT NULL CHECK (sentiment_auto BETWEEN -1.0 AND 1.0),
    sentiment_manual REAL    CHECK (sentiment_manual IS NULL OR sentiment_manual BETWEEN -1.0 AND 1.0),
    override_reason  TEXT    CHECK (override_reason IS NULL OR length(override_reason) BETWEEN 1 AND 1000),
    overridden_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    overridden_at    INTEGER,
    created_at       INTEGER NOT NULL,
    created_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    CHECK ((sentiment_manual IS NULL) = (override_reason IS NULL)),
    CHECK (action_id IS NULL OR incident_id IS NOT NULL)
) STRICT;
CREATE INDEX replies_customer ON replies (customer_id, received_at);
CREATE INDEX replies_incident ON replies (incident_id, customer_id);
CREATE INDEX replies_action ON replies (action_id);
CREATE INDEX replies_received ON replies (received_at DESC, id DESC);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action    TEXT    NOT NULL CHECK (action IN ('create', 'update', 'delete', 'login_success', 'login_failure', 'logout')),
    entity    TEXT    NOT NULL CHECK (length(entity) BETWEEN 1 AND 60),
    entity_id TEXT,
    before    TEXT,
    after     TEXT,
    ip        TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_user ON audit_log (user_id, at);
