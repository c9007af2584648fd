-- Webhook deliveries (write side, like mail_queue: an outbox, never rebuilt from events, since a rebuild would send
-- again). One row per event and webhook, stored before the first attempt; the durable queue claims due rows.
CREATE TABLE webhook_deliveries (
    id              VARCHAR(64)              PRIMARY KEY,
    webhook_id      VARCHAR(64)              NOT NULL,
    tenant_id       VARCHAR(64)              NOT NULL,
    event_id        VARCHAR(64)              NOT NULL,
    event_type      VARCHAR(100)             NOT NULL,
    payload         VARCHAR(1000000)         NOT NULL,
    status          VARCHAR(16)              NOT NULL,
    attempts        INT                      NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    claimed_by      VARCHAR(64),
    claimed_until   TIMESTAMP WITH TIME ZONE,
    last_status     INT,
    last_error      VARCHAR(1000),
    completed_at    TIMESTAMP WITH TIME ZONE,
    CONSTRAINT uq_webhook_deliveries_event UNIQUE (webhook_id, event_id)
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at);
CREATE INDEX ix_webhook_deliveries_list ON webhook_deliveries (webhook_id, created_at, id);

-- Every attempt: its answer (status 0: none), latency, the answer's body cut to 4 KiB, and when the next is due.
CREATE TABLE webhook_delivery_attempts (
    delivery_id     VARCHAR(64)              NOT NULL,
    attempt         INT                      NOT NULL,
    attempted_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    status          INT                      NOT NULL,
    latency_ms      BIGINT                   NOT NULL,
    response_body   VARCHAR(4096),
    error           VARCHAR(1000),
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (delivery_id, attempt)
);
CREATE INDEX ix_webhook_delivery_attempts_at ON webhook_delivery_attempts (attempted_at);

-- How each webhook's deliveries fare: failing since the first failure after its last success; an endpoint failing
-- for the whole failure window (5 days) is disabled once (disabled_at).
CREATE TABLE webhook_health (
    webhook_id      VARCHAR(64)              PRIMARY KEY,
    tenant_id       VARCHAR(64)              NOT NULL,
    failing_since   TIMESTAMP WITH TIME ZONE,
    last_success_at TIMESTAMP WITH TIME ZONE,
    last_failure_at TIMESTAMP WITH TIME ZONE,
    disabled_at     TIMESTAMP WITH TIME ZONE
);
