-- Read model: the audit trail, one row per event (metered calls excepted: they are in usage_logs), hash-chained
-- per tenant: hash = SHA-256(prev_hash || canonical(entry)).
CREATE TABLE audit_logs (
    id           VARCHAR(64)              NOT NULL,
    tenant_id    VARCHAR(64)              NOT NULL,
    seq          BIGINT                   NOT NULL,
    global_index BIGINT,
    actor_type   VARCHAR(16)              NOT NULL,
    actor_id     VARCHAR(64),
    api_key_id   VARCHAR(64),
    action       VARCHAR(64)              NOT NULL,
    target_type  VARCHAR(32)              NOT NULL,
    target_id    VARCHAR(64)              NOT NULL,
    ip           VARCHAR(64),
    user_agent   VARCHAR(256),
    request_id   VARCHAR(128),
    occurred_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    changes      VARCHAR(8000)            NOT NULL,
    prev_hash    VARCHAR(64)              NOT NULL,
    hash         VARCHAR(64)              NOT NULL,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ux_audit_logs_chain ON audit_logs (tenant_id, seq);
CREATE INDEX ix_audit_logs_time ON audit_logs (tenant_id, occurred_at);

-- The head of each tenant's chain.
CREATE TABLE audit_heads (
    tenant_id VARCHAR(64) NOT NULL,
    seq       BIGINT      NOT NULL,
    hash      VARCHAR(64) NOT NULL,
    PRIMARY KEY (tenant_id)
);
