-- Read model: the tenants' webhook endpoints. Secrets only as the ciphertext of the events (AES-GCM under the
-- installation's key): deliveries sign with them, nothing answers them.
CREATE TABLE webhooks (
    id                          VARCHAR(64)              NOT NULL,
    tenant_id                   VARCHAR(64)              NOT NULL,
    url                         VARCHAR(2048)            NOT NULL,
    description                 VARCHAR(500)             NOT NULL,
    event_types                 VARCHAR(4000)            NOT NULL,
    enabled                     BOOLEAN                  NOT NULL,
    secret_ciphertext           VARCHAR(512)             NOT NULL,
    previous_secret_ciphertext  VARCHAR(512),
    previous_secret_valid_until TIMESTAMP WITH TIME ZONE,
    secret_rotated_at           TIMESTAMP WITH TIME ZONE,
    created_by                  VARCHAR(64),
    created_at                  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at                  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_webhooks_tenant ON webhooks (tenant_id, created_at);
