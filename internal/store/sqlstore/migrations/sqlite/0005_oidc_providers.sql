-- OpenID Connect providers. A provider has no id: it is named by its URL
-- without the scheme (its ARN's suffix), unique per account and compared
-- exactly. Client ids, thumbprints and tags are JSON arrays in the order
-- given, as users' tags are. No semicolons in comments: the statements are
-- split on them.
CREATE TABLE oidc_providers (
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    url          TEXT NOT NULL,
    client_ids   TEXT NOT NULL DEFAULT '[]',
    thumbprints  TEXT NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, url)
)
