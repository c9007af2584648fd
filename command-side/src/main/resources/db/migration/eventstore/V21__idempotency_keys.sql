-- Idempotency keys (write side, not derived from events): the first answer to a POST sent with an
-- Idempotency-Key header, per tenant and caller, replayed to a retry with the same key and body for 24 hours.
-- status is null while the first request runs (locked_until: when another node may take it over).
CREATE TABLE idempotency_keys (
    tenant_id    VARCHAR(64)              NOT NULL,
    principal    VARCHAR(128)             NOT NULL,
    idem_key     VARCHAR(255)             NOT NULL,
    fingerprint  VARCHAR(64)              NOT NULL,
    status       INTEGER,
    content_type VARCHAR(200),
    body         BYTEA,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    locked_until TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, principal, idem_key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at);
