-- Read model: each tenant's calls, units and errors per endpoint, method and hour (UTC), so a usage report adds up
-- hours instead of counting every call. The usage projection writes it with usage_logs, in the same transaction.
CREATE TABLE usage_rollups (
    tenant_id  VARCHAR(64)              NOT NULL,
    hour_start TIMESTAMP WITH TIME ZONE NOT NULL,
    endpoint   VARCHAR(200)             NOT NULL,
    method     VARCHAR(10)              NOT NULL,
    calls      BIGINT                   NOT NULL,
    units      BIGINT                   NOT NULL,
    errors     BIGINT                   NOT NULL,
    PRIMARY KEY (tenant_id, hour_start, endpoint, method)
);

-- The calls recorded before the table existed. The service's connections run in UTC (it sets the zone before it
-- connects), so the hour is the UTC hour, as the projection computes it.
INSERT INTO usage_rollups (tenant_id, hour_start, endpoint, method, calls, units, errors)
SELECT tenant_id, DATE_TRUNC('hour', occurred_at), endpoint, method, COUNT(*), SUM(units),
       SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END)
FROM usage_logs
GROUP BY tenant_id, DATE_TRUNC('hour', occurred_at), endpoint, method;
