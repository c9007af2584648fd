-- One key per data subject (a user), sealing their personal data in events; stored wrapped (AES-GCM) by the
-- database encryption key, which is never stored here. An erased subject keeps a row without a key (erased_at).
CREATE TABLE subject_keys (
    subject_id      VARCHAR(64)              NOT NULL,
    wrapped_key     BYTEA,
    wrapping_key_id VARCHAR(16),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    erased_at       TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (subject_id)
);
