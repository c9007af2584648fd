package com.catalytic.api.webhook;

import java.time.Instant;
import java.util.Set;

/** What the delivery side asks the read side: a tenant's webhooks with their sealed secrets (never answered over HTTP). */
public final class WebhookDeliveryMessages {

    private WebhookDeliveryMessages() {
    }

    /** Every webhook of the tenant, enabled or not. */
    public record DeliveryTargetsQuery(String tenantId) {
    }

    /** {@code eventTypes} empty: every type. */
    public record DeliveryTarget(String webhookId, String tenantId, String url, Set<String> eventTypes,
                                 boolean enabled, String encryptedSecret, String previousEncryptedSecret,
                                 Instant previousSecretValidUntil) {
        public boolean wants(String type) {
            return enabled && (eventTypes.isEmpty() || eventTypes.contains(type));
        }

        @Override
        public String toString() {
            return "DeliveryTarget[webhookId=" + webhookId + ", tenantId=" + tenantId + "]";
        }
    }

    /** The list answer of {@link DeliveryTargetsQuery} (a record, so the query bus has one concrete type). */
    public record DeliveryTargets(java.util.List<DeliveryTarget> targets) {
    }
}
