-- Unique claims reserved in transactions of their own, for an event store outside PostgreSQL (Axon Server): a claim
-- is RESERVED before its command's events are appended and CONFIRMED after; a release is RELEASING meanwhile. A
-- pending row names the reservation (carried in the events' metadata), the aggregate whose events settle it and the
-- sequence number that aggregate had, so that any node can settle it after a crash. Existing claims are confirmed.
ALTER TABLE unique_claims ADD COLUMN state VARCHAR(16) DEFAULT 'CONFIRMED' NOT NULL;
ALTER TABLE unique_claims ADD COLUMN reservation_id VARCHAR(36);
ALTER TABLE unique_claims ADD COLUMN aggregate_id VARCHAR(64);
ALTER TABLE unique_claims ADD COLUMN aggregate_sequence BIGINT;
ALTER TABLE unique_claims ADD COLUMN pending_since TIMESTAMP WITH TIME ZONE;
CREATE INDEX unique_claims_pending ON unique_claims (pending_since);
CREATE INDEX unique_claims_reservation ON unique_claims (reservation_id);
