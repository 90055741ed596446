-- Each account's credential report (the CSV GetCredentialReport returns,
-- as generated) and its alias. An alias is unique across accounts (its
-- key) and an account has at most one (account_id is unique), both held
-- by the database's constraints inside every write.
-- (Statements are split on semicolons: none in comments.)
CREATE TABLE credential_reports (
    account_id   TEXT COLLATE "C" PRIMARY KEY REFERENCES accounts(id),
    generated_at BIGINT NOT NULL,
    content      TEXT NOT NULL
);

CREATE TABLE account_aliases (
    alias      TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES accounts(id)
);
