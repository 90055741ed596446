-- The whole schema, as the SQLite migrations 1 to 6 leave it. Times are
-- Unix milliseconds (BIGINT). Text that is ordered or compared for
-- paging (ids, name keys, paths, ARNs, URLs) uses the "C" collation, so
-- it sorts by bytes as SQLite does, whatever the database's locale.
-- (Statements are split on semicolons: none in comments.)
CREATE TABLE accounts (
    id          TEXT COLLATE "C" PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id                    TEXT COLLATE "C" PRIMARY KEY,
    account_id            TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
    name                  TEXT NOT NULL,
    name_key              TEXT COLLATE "C" NOT NULL,
    path                  TEXT COLLATE "C" NOT NULL,
    created_at            BIGINT NOT NULL,
    tags                  TEXT NOT NULL DEFAULT '[]',
    permissions_boundary  TEXT COLLATE "C" NOT NULL DEFAULT '',
    UNIQUE (account_id, name_key)
);
CREATE INDEX users_boundary ON users (account_id, permissions_boundary);

CREATE TABLE access_keys (
    id                 TEXT COLLATE "C" PRIMARY KEY,
    account_id         TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
    user_id            TEXT COLLATE "C" REFERENCES users(id),
    status             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    secret_ciphertext  BYTEA NOT NULL,
    master_key_id      TEXT COLLATE "C" NOT NULL,
    last_used_at       BIGINT,
    last_used_service  TEXT,
    last_used_region   TEXT
);
CREATE INDEX access_keys_owner ON access_keys (account_id, user_id);
CREATE INDEX access_keys_user ON access_keys (user_id);

CREATE TABLE inline_policies (
    owner_kind  TEXT COLLATE "C" NOT NULL,
    owner_id    TEXT COLLATE "C" NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT COLLATE "C" NOT NULL,
    document    TEXT NOT NULL,
    size        INTEGER NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, name_key)
);

CREATE TABLE iam_groups (
    id          TEXT COLLATE "C" PRIMARY KEY,
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_key    TEXT COLLATE "C" NOT NULL,
    path        TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE TABLE group_members (
    group_id  TEXT COLLATE "C" NOT NULL REFERENCES iam_groups(id),
    user_id   TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE managed_policies (
    id               TEXT COLLATE "C" PRIMARY KEY,
    account_id       TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
    arn              TEXT COLLATE "C" NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    name_key         TEXT COLLATE "C" NOT NULL,
    path             TEXT COLLATE "C" NOT NULL,
    description      TEXT NOT NULL,
    default_version  INTEGER NOT NULL,
    next_version     INTEGER NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    tags             TEXT NOT NULL DEFAULT '[]',
    UNIQUE (account_id, name_key)
);

CREATE TABLE policy_versions (
    policy_id   TEXT COLLATE "C" NOT NULL REFERENCES managed_policies(id),
    version     INTEGER NOT NULL,
    document    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (policy_id, version)
);

CREATE TABLE policy_attachments (
    account_id   TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
    owner_kind   TEXT COLLATE "C" NOT NULL,
    owner_id     TEXT COLLATE "C" NOT NULL,
    policy_arn   TEXT COLLATE "C" NOT NULL,
    policy_name  TEXT COLLATE "C" NOT NULL,
    policy_path  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, policy_arn)
);
CREATE INDEX policy_attachments_policy ON policy_attachments (account_id, policy_arn);

CREATE TABLE roles (
    id                    TEXT COLLATE "C" PRIMARY KEY,
    account_id            TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
    name                  TEXT NOT NULL,
    name_key              TEXT COLLATE "C" NOT NULL,
    path                  TEXT COLLATE "C" NOT NULL,
    description           TEXT NOT NULL,
    assume_role_policy    TEXT NOT NULL,
    max_session_duration  INTEGER NOT NULL,
    created_at            BIGINT NOT NULL,
    tags                  TEXT NOT NULL DEFAULT '[]',
    permissions_boundary  TEXT COLLATE "C" NOT NULL DEFAULT '',
    last_used_at          BIGINT,
    last_used_region      TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, name_key)
);
CREATE INDEX roles_boundary ON roles (account_id, permissions_boundary);

CREATE TABLE instance_profiles (
    id          TEXT COLLATE "C" PRIMARY KEY,
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_key    TEXT COLLATE "C" NOT NULL,
    path        TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    UNIQUE (account_id, name_key)
);

CREATE TABLE instance_profile_roles (
    profile_id  TEXT COLLATE "C" NOT NULL REFERENCES instance_profiles(id),
    role_id     TEXT COLLATE "C" NOT NULL REFERENCES roles(id),
    PRIMARY KEY (profile_id, role_id)
);
CREATE INDEX instance_profile_roles_role ON instance_profile_roles (role_id);

CREATE TABLE oidc_providers (
    account_id   TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
    url          TEXT COLLATE "C" NOT NULL,
    client_ids   TEXT NOT NULL DEFAULT '[]',
    thumbprints  TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, url)
);

-- The change counter: every write that can change what authenticates or
-- what is allowed advances it in its own transaction (see feed.go).
CREATE TABLE changes (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL
);
INSERT INTO changes (id, seq) VALUES (1, 0);

CREATE TABLE meta (
    name   TEXT COLLATE "C" PRIMARY KEY,
    value  TEXT NOT NULL
);
