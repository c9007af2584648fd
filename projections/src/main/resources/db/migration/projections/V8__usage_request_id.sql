-- The request id of each metered call, so a call quoted by a customer can be found in the usage log.
ALTER TABLE usage_logs ADD COLUMN request_id VARCHAR(128);
CREATE INDEX ix_usage_logs_request ON usage_logs (request_id);
