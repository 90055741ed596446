-- Login profiles (a user's console password, kept only as its argon2id
-- hash), each user's earlier hashes for PasswordReusePrevention, and each
-- account's password policy. A user has one profile at most: user_id is
-- the key. Booleans are 0 or 1.
-- (Statements are split on semicolons: none in comments.)
CREATE TABLE login_profiles (
    user_id             TEXT PRIMARY KEY REFERENCES users(id),
    account_id          TEXT NOT NULL REFERENCES accounts(id),
    password_hash       TEXT NOT NULL,
    reset_required      INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);
CREATE TABLE password_history (
    user_id       TEXT NOT NULL REFERENCES users(id),
    n             INTEGER NOT NULL,
    password_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, n)
);
CREATE TABLE password_policies (
    account_id              TEXT PRIMARY KEY REFERENCES accounts(id),
    minimum_length          INTEGER NOT NULL,
    require_symbols         INTEGER NOT NULL,
    require_numbers         INTEGER NOT NULL,
    require_uppercase       INTEGER NOT NULL,
    require_lowercase       INTEGER NOT NULL,
    allow_users_to_change   INTEGER NOT NULL,
    max_password_age        INTEGER NOT NULL,
    reuse_prevention        INTEGER NOT NULL,
    hard_expiry             INTEGER NOT NULL
)
