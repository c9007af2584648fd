-- Write-side ledger of metered API calls per tenant and calendar month (UTC), updated in the same transaction
-- that appends the UsageRecorded events: the exact count the monthly quota is enforced against.
CREATE TABLE quota_ledger (
    tenant_id VARCHAR(64) NOT NULL,
    period    VARCHAR(7)  NOT NULL,
    used      BIGINT      NOT NULL,
    PRIMARY KEY (tenant_id, period)
);
