-- The change counter and the change log: every write that can change what
-- authenticates or what is allowed records what it changed, each change
-- numbered by the counter, without gaps, in its own transaction
-- (changelog.go). Entries older than a day are pruned (by position:
-- the log is in commit order, so no index on the time is needed).
-- (Statements are split on semicolons: none in comments.)
CREATE TABLE changes (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL
);
INSERT INTO changes (id, seq) VALUES (1, 0);
CREATE TABLE change_log (
    seq         INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    at          INTEGER NOT NULL
);
