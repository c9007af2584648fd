-- Team management: invited users have no password until they accept.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN invited BOOLEAN DEFAULT FALSE NOT NULL;

-- Read model: API keys (never the key: its SHA-256 hash and a display prefix).
CREATE TABLE api_keys (
    id           VARCHAR(64)              NOT NULL,
    tenant_id    VARCHAR(64)              NOT NULL,
    name         VARCHAR(100)             NOT NULL,
    prefix       VARCHAR(32)              NOT NULL,
    key_hash     VARCHAR(64)              NOT NULL,
    scopes       VARCHAR(500)             NOT NULL,
    created_by   VARCHAR(64),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE,
    revoked_at   TIMESTAMP WITH TIME ZONE,
    valid_until  TIMESTAMP WITH TIME ZONE,
    replaced_by  VARCHAR(64),
    rotated_from VARCHAR(64),
    last_used_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ux_api_keys_hash ON api_keys (key_hash);
CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id);

-- Read model: a feed of changes that invalidate cached credentials (sessions, users, tenants, keys), polled by
-- every node to evict its caches.
CREATE TABLE access_changes (
    seq        BIGSERIAL                NOT NULL,
    kind       VARCHAR(16)              NOT NULL,
    subject_id VARCHAR(128)             NOT NULL,
    tenant_id  VARCHAR(64),
    changed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (seq)
);
CREATE INDEX ix_access_changes_time ON access_changes (changed_at);
