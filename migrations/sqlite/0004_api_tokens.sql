-- Personal API tokens for the REST API. Only the SHA-256 of a secret is kept; `hint` is its
-- last four characters, so a person can tell their tokens apart.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    secret_hash  TEXT    NOT NULL UNIQUE CHECK (length(secret_hash) = 64),
    hint         TEXT    NOT NULL CHECK (length(hint) = 4),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER CHECK (expires_at IS NULL OR expires_at > created_at),
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- Which token made a change (its name at the time), for changes made through the API.
ALTER TABLE audit_log ADD COLUMN via TEXT CHECK (via IS NULL OR length(via) <= 120);

-- The first answer to each POST that carried an `Idempotency-Key`, per person, replayed when
-- the same key comes again with the same body.
CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    location     TEXT,
    etag         TEXT,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
