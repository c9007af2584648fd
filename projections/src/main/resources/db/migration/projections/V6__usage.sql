-- API keys may carry a rate limit below their tenant's plan.
ALTER TABLE api_keys ADD COLUMN rate_limit_per_minute INTEGER;

-- Read model: one row per metered API call (UsageRecordedEvent).
CREATE TABLE usage_logs (
    id          VARCHAR(64)              NOT NULL,
    tenant_id   VARCHAR(64)              NOT NULL,
    user_id     VARCHAR(64),
    api_key_id  VARCHAR(64),
    endpoint    VARCHAR(200)             NOT NULL,
    method      VARCHAR(10)              NOT NULL,
    status      INTEGER                  NOT NULL,
    duration_ms BIGINT                   NOT NULL,
    bytes       BIGINT                   NOT NULL,
    units       BIGINT                   NOT NULL,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_usage_logs_tenant_time ON usage_logs (tenant_id, occurred_at, id);
