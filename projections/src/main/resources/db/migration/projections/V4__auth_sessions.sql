-- Read model: login sessions, for the revocation check's database fallback.
CREATE TABLE auth_sessions (
    id         VARCHAR(64)              NOT NULL,
    tenant_id  VARCHAR(64)              NOT NULL,
    user_id    VARCHAR(64)              NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE,
    revoked_reason VARCHAR(64),
    PRIMARY KEY (id)
);
CREATE INDEX ix_auth_sessions_user ON auth_sessions (user_id);
CREATE INDEX ix_auth_sessions_revoked ON auth_sessions (revoked_at);
