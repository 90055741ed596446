-- Groups, customer managed policies, attachments and permissions
-- boundaries. Inline policies of users and groups share one table keyed by
-- owner kind. The size column holds each document's size without white
-- space, as AWS counts it against the owner's aggregate quota, so the
-- quota is checked inside the writing transaction. Existing user policies
-- are carried over with their size computed here (ASCII white space, which
-- is what JSON allows between tokens). No semicolons in comments: the
-- statements are split on them.
ALTER TABLE users ADD COLUMN permissions_boundary TEXT NOT NULL DEFAULT '';

CREATE TABLE inline_policies (
    owner_kind  TEXT NOT NULL,
    owner_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    document    TEXT NOT NULL,
    size        INTEGER NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, name_key)
);

INSERT INTO inline_policies (owner_kind, owner_id, name, name_key, document, size)
SELECT 'user', user_id, name, name_key, document,
       length(replace(replace(replace(replace(replace(replace(document, ' ', ''), char(9), ''), char(10), ''), char(11), ''), char(12), ''), char(13), ''))
FROM user_policies;

DROP TABLE user_policies;

CREATE TABLE iam_groups (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES iam_groups(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE managed_policies (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    arn              TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL,
    path             TEXT NOT NULL,
    description      TEXT NOT NULL,
    default_version  INTEGER NOT NULL,
    next_version     INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    tags             TEXT NOT NULL DEFAULT '[]',
    UNIQUE (account_id, name_key)
);

CREATE TABLE policy_versions (
    policy_id   TEXT NOT NULL REFERENCES managed_policies(id),
    version     INTEGER NOT NULL,
    document    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (policy_id, version)
);

CREATE TABLE policy_attachments (
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    owner_kind   TEXT NOT NULL,
    owner_id     TEXT NOT NULL,
    policy_arn   TEXT NOT NULL,
    policy_name  TEXT NOT NULL,
    policy_path  TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, policy_arn)
);
CREATE INDEX policy_attachments_policy ON policy_attachments (account_id, policy_arn);
CREATE INDEX users_boundary ON users (account_id, permissions_boundary)
