package com.catalytic.api.webhook;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.TenantScoped;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.serialization.Revision;

/**
 * Deliveries of webhooks: what a tenant asks for (a test, a retry, a recovery), what the delivery side decides (an
 * endpoint failing too long is disabled), and what it asks and answers (targets with their sealed secrets, never
 * answered over HTTP; the deliveries of a webhook).
 */
public final class WebhookDeliveryMessages {

    private WebhookDeliveryMessages() {
    }

    /** Every webhook of the tenant, enabled or not. */
    public record DeliveryTargetsQuery(String tenantId) {
    }

    /** {@code eventTypes} empty: every type. */
    public record DeliveryTarget(String webhookId, String tenantId, String url, Set<String> eventTypes,
                                 boolean enabled, String encryptedSecret, String previousEncryptedSecret,
                                 Instant previousSecretValidUntil, Instant createdAt) {
        public boolean wants(String type) {
            return enabled && (eventTypes.isEmpty() || eventTypes.contains(type));
        }

        /** An event from before the webhook existed is delivered only by a recovery. */
        public boolean wants(String type, Instant occurredAt) {
            return wants(type) && !occurredAt.isBefore(createdAt);
        }

        @Override
        public String toString() {
            return "DeliveryTarget[webhookId=" + webhookId + ", tenantId=" + tenantId + "]";
        }
    }

    /** The list answer of {@link DeliveryTargetsQuery} (a record, so the query bus has one concrete type). */
    public record DeliveryTargets(List<DeliveryTarget> targets) {
    }

    /** {@code testId}: the id of the test event (its {@code webhook-id}), chosen by the caller. */
    public record SendWebhookTestCommand(@TargetAggregateIdentifier String webhookId, String tenantId, String testId,
                                         Actor actor) implements TenantScoped {
    }

    @Revision("1")
    public record WebhookTestRequestedEvent(String webhookId, String tenantId, String testId, String requestedBy)
            implements TenantScoped {
    }

    public record RetryWebhookDeliveryCommand(@TargetAggregateIdentifier String webhookId, String tenantId,
                                              String deliveryId, Actor actor) implements TenantScoped {
    }

    @Revision("1")
    public record WebhookDeliveryRetryRequestedEvent(String webhookId, String tenantId, String deliveryId,
                                                     String requestedBy) implements TenantScoped {
    }

    /** Deliver again every event since {@code since}: missing deliveries planned, failed ones queued again. */
    public record RecoverWebhookCommand(@TargetAggregateIdentifier String webhookId, String tenantId, Instant since,
                                        Actor actor) implements TenantScoped {
    }

    @Revision("1")
    public record WebhookRecoveryRequestedEvent(String webhookId, String tenantId, Instant since, String requestedBy)
            implements TenantScoped {
    }

    /**
     * Sent by the system when every delivery attempt from {@code failingSince} to {@code lastFailureAt} failed, for
     * at least the failure window.
     */
    public record DisableFailingWebhookCommand(@TargetAggregateIdentifier String webhookId, String tenantId,
                                               Instant failingSince, Instant lastFailureAt) implements TenantScoped {
    }

    @Revision("1")
    public record WebhookDisabledForFailuresEvent(String webhookId, String tenantId, Instant failingSince,
                                                  Instant lastFailureAt) implements TenantScoped {
    }

    /** The deliveries of a webhook, newest first; {@code status} null: all. */
    public record ListDeliveriesQuery(String tenantId, String webhookId, String status, String cursor, int limit) {
    }

    public record DeliveryAttemptView(int attempt, Instant attemptedAt, int status, long latencyMs,
                                      String responseBody, String error, Instant nextAttemptAt) {
    }

    public record DeliveryView(String id, String eventId, String eventType, String status, int attempts,
                               Integer lastStatus, String lastError, Instant createdAt, Instant nextAttemptAt,
                               Instant completedAt, List<DeliveryAttemptView> attemptLog) {
    }

    public record DeliveryPage(List<DeliveryView> deliveries, String nextCursor) {
    }

    /** Whether the delivery is one of this tenant's webhook's: answered with a Boolean. */
    public record DeliveryExistsQuery(String tenantId, String webhookId, String deliveryId) {
    }

    /** How a webhook's deliveries fare: failing since when (null: not failing), the last success and failure. */
    public record WebhookHealthQuery(String tenantId, String webhookId) {
    }

    public record WebhookHealth(Instant failingSince, Instant lastSuccessAt, Instant lastFailureAt,
                                long pendingDeliveries) {
    }
}
