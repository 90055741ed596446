-- Roles and instance profiles. A role's inline policies and attachments
-- live in inline_policies and policy_attachments with owner kind 'role'.
-- No semicolons in comments: the statements are split on them.
CREATE TABLE roles (
    id                    TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL REFERENCES accounts(id),
    name                  TEXT NOT NULL,
    name_key              TEXT NOT NULL,
    path                  TEXT NOT NULL,
    description           TEXT NOT NULL,
    assume_role_policy    TEXT NOT NULL,
    max_session_duration  INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    tags                  TEXT NOT NULL DEFAULT '[]',
    permissions_boundary  TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, name_key)
);
CREATE INDEX roles_boundary ON roles (account_id, permissions_boundary);

CREATE TABLE instance_profiles (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    UNIQUE (account_id, name_key)
);

CREATE TABLE instance_profile_roles (
    profile_id  TEXT NOT NULL REFERENCES instance_profiles(id),
    role_id     TEXT NOT NULL REFERENCES roles(id),
    PRIMARY KEY (profile_id, role_id)
);
CREATE INDEX instance_profile_roles_role ON instance_profile_roles (role_id)
