-- The change log: what each write counted by the changes counter changed,
-- one entry per change, numbered by the counter without gaps
-- (changelog.go). Entries older than a day are pruned (by position:
-- the log is in commit order, so no index on the time is needed).
-- (Statements are split on semicolons: none in comments.)
CREATE TABLE change_log (
    seq         BIGINT PRIMARY KEY,
    kind        TEXT COLLATE "C" NOT NULL,
    account_id  TEXT COLLATE "C" NOT NULL,
    subject     TEXT COLLATE "C" NOT NULL,
    at          BIGINT NOT NULL
);
