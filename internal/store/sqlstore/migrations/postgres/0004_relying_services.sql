-- Relying services: the services that trust Latchkey to verify and
-- authorize their callers, each calling as one principal, with the SigV4
-- scopes (a JSON array of region and service) and hosts (a JSON array) it
-- may have verified.
-- (Statements are split on semicolons: none in comments.)
CREATE TABLE relying_services (
    account_id     TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
    name_key       TEXT COLLATE "C" NOT NULL,
    name           TEXT NOT NULL,
    principal_arn  TEXT COLLATE "C" NOT NULL,
    scopes         TEXT NOT NULL DEFAULT '[]',
    hosts          TEXT NOT NULL DEFAULT '[]',
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (account_id, name_key),
    UNIQUE (account_id, principal_arn)
);
