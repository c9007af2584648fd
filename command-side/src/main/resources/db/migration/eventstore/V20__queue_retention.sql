-- Finished webhook deliveries are deleted after the retention period (catalytic.webhooks.retention), hourly.
CREATE INDEX ix_webhook_deliveries_completed ON webhook_deliveries (completed_at);
