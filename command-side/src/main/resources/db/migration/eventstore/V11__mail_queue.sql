-- E-mails waiting to be delivered (write side). A message is queued once the change that causes it is stored and
-- delivered by a background dispatcher on any node, with retries; its bodies (which may hold one-time links) are
-- cleared once it is sent or given up.
CREATE TABLE mail_queue (
    id              VARCHAR(64)    PRIMARY KEY,
    recipient       VARCHAR(320)   NOT NULL,
    subject         VARCHAR(998)   NOT NULL,
    text_body       VARCHAR(100000),
    html_body       VARCHAR(200000),
    created_at      TIMESTAMP      NOT NULL,
    attempts        INT            NOT NULL,
    next_attempt_at TIMESTAMP      NOT NULL,
    claimed_by      VARCHAR(64),
    claimed_until   TIMESTAMP,
    last_error      VARCHAR(1000),
    sent_at         TIMESTAMP,
    failed_at       TIMESTAMP
);
CREATE INDEX ix_mail_queue_due ON mail_queue (next_attempt_at);
