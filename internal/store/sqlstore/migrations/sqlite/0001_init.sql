CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    UNIQUE (account_id, name_key)
);

CREATE TABLE access_keys (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts(id),
    user_id            TEXT REFERENCES users(id),
    status             TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    secret_ciphertext  BLOB NOT NULL,
    master_key_id      TEXT NOT NULL,
    last_used_at       INTEGER,
    last_used_service  TEXT,
    last_used_region   TEXT
);
CREATE INDEX access_keys_owner ON access_keys (account_id, user_id);

CREATE TABLE user_policies (
    user_id   TEXT NOT NULL REFERENCES users(id),
    name      TEXT NOT NULL,
    name_key  TEXT NOT NULL,
    document  TEXT NOT NULL,
    PRIMARY KEY (user_id, name_key)
);

CREATE TABLE meta (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
