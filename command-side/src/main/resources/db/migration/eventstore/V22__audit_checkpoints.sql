-- Signed checkpoints of the tenants' audit chains, kept (not derived from events: each was signed at a time, with
-- the key of that time). One per tenant and chain length: a checkpoint of an unchanged head is not stored twice.
CREATE TABLE audit_checkpoints (
    tenant_id     VARCHAR(64)              NOT NULL,
    seq           BIGINT                   NOT NULL,
    head_hash     VARCHAR(64)              NOT NULL,
    checkpoint_at TIMESTAMP WITH TIME ZONE NOT NULL,
    signature     VARCHAR(4000)            NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX ix_audit_checkpoints_time ON audit_checkpoints (checkpoint_at);
