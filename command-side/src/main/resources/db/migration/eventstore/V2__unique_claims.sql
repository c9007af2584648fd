-- Write-side set validation: one owner per unique value (e-mail address, tenant slug).
CREATE TABLE unique_claims (
    scope       VARCHAR(32)              NOT NULL,
    claim_value VARCHAR(320)             NOT NULL,
    owner_id    VARCHAR(64)              NOT NULL,
    claimed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (scope, claim_value)
);
