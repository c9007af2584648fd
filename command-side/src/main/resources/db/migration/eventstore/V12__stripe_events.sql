-- Stripe webhook events received (write side): the event id is the key, so a redelivered event is recognised and
-- changes nothing. processed_at is set once the event's commands are applied; an event whose processing failed is
-- processed again when Stripe redelivers it. Only the id, type and outcome are kept, not the payload.
CREATE TABLE stripe_events (
    id            VARCHAR(255)  PRIMARY KEY,
    type          VARCHAR(255)  NOT NULL,
    tenant_id     VARCHAR(64),
    created_at    TIMESTAMP     NOT NULL,
    received_at   TIMESTAMP     NOT NULL,
    attempts      INT           NOT NULL,
    processed_at  TIMESTAMP,
    outcome       VARCHAR(1000),
    last_error    VARCHAR(1000)
);
CREATE INDEX ix_stripe_events_received ON stripe_events (received_at);
