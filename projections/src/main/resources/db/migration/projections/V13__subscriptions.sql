-- Read model: each tenant's subscription as its events (the subscription aggregate, fed by Stripe) describe it.
CREATE TABLE subscriptions (
    tenant_id                 VARCHAR(64)              NOT NULL,
    id                        VARCHAR(80)              NOT NULL,
    plan                      VARCHAR(32),
    billing_interval          VARCHAR(16),
    status                    VARCHAR(32)              NOT NULL,
    stripe_customer_id        VARCHAR(255),
    stripe_subscription_id    VARCHAR(255),
    checkout_session_id       VARCHAR(255),
    current_period_start      TIMESTAMP WITH TIME ZONE,
    current_period_end        TIMESTAMP WITH TIME ZONE,
    trial_end                 TIMESTAMP WITH TIME ZONE,
    cancel_at_period_end      BOOLEAN                  NOT NULL,
    failed_payments           INT                      NOT NULL,
    suspended_for_non_payment BOOLEAN                  NOT NULL,
    created_at                TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at                TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id)
);
CREATE INDEX ix_subscriptions_customer ON subscriptions (stripe_customer_id);
