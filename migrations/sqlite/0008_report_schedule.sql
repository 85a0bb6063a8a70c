-- The weekly report sent by itself: one schedule for the team (a weekday and hour in the
-- team's time zone, e-mail recipients and a Slack-compatible incoming webhook), and every
-- delivery tried. A scheduled delivery is claimed by inserting its (week, channel) row:
-- the unique index lets exactly one process win, however many run. The schedule's row is
-- written when an admin first saves it; until then the report is not sent by itself.
CREATE TABLE report_schedule (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    enabled    INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    -- ISO weekday, Monday = 1.
    weekday    INTEGER NOT NULL DEFAULT 1 CHECK (weekday BETWEEN 1 AND 7),
    hour       INTEGER NOT NULL DEFAULT 9 CHECK (hour BETWEEN 0 AND 23),
    -- Addresses separated by commas.
    recipients TEXT NOT NULL DEFAULT '' CHECK (length(recipients) <= 2000),
    -- The incoming webhook's address is its secret: kept to post to it, never shown whole.
    slack_url  TEXT CHECK (slack_url IS NULL OR length(slack_url) BETWEEN 12 AND 500),
    updated_at INTEGER NOT NULL DEFAULT 0,
    updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL
) STRICT;

CREATE TABLE report_deliveries (
    id              INTEGER PRIMARY KEY,
    week            TEXT NOT NULL CHECK (length(week) = 8),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'slack')),
    -- 1: by the schedule (once per week and channel); 0: "send now".
    scheduled       INTEGER NOT NULL CHECK (scheduled IN (0, 1)),
    status          TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    claimed_at      INTEGER NOT NULL,
    next_attempt_at INTEGER,
    sent_at         INTEGER,
    last_error      TEXT CHECK (last_error IS NULL OR length(last_error) <= 500),
    requested_by    INTEGER REFERENCES users (id) ON DELETE SET NULL
) STRICT;
CREATE UNIQUE INDEX report_deliveries_once ON report_deliveries (week, channel) WHERE scheduled = 1;
CREATE INDEX report_deliveries_recent ON report_deliveries (claimed_at DESC, id DESC);
