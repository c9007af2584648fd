-- How far each node's local usage journal has been moved into the event store. Advanced in the same transaction
-- that appends the shipped calls' events, so a restarted node ships exactly what had not been shipped yet.
CREATE TABLE usage_shipping (
    node_id      VARCHAR(64) PRIMARY KEY,
    log_segment  BIGINT      NOT NULL,
    log_offset   BIGINT      NOT NULL,
    shipped_at   TIMESTAMP   NOT NULL
);
