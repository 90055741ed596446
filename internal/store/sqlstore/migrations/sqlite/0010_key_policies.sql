-- Each account's key policy: the age in days past which its access keys
-- expire (status Expired). An account without a row has none.
-- (Statements are split on semicolons: none in comments.)
CREATE TABLE key_policies (
    account_id    TEXT PRIMARY KEY REFERENCES accounts(id),
    max_age_days  INTEGER NOT NULL CHECK (max_age_days > 0)
);
