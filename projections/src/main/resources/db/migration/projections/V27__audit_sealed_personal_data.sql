-- The audit trail keeps the IP address and user agent as sealed in the events (longer than the plain values).
ALTER TABLE audit_logs ALTER COLUMN ip SET DATA TYPE VARCHAR(256);
ALTER TABLE audit_logs ALTER COLUMN user_agent SET DATA TYPE VARCHAR(512);
