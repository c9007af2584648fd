package com.catalytic.api.webhook;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.TenantScoped;
import java.time.Instant;
import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.serialization.Revision;

/**
 * Outbound webhooks: endpoints a tenant subscribes to its events. The signing secret is shown once; messages carry it
 * only encrypted with the installation's key ({@code encryptedSecret}: the audit trail and history drop every field
 * whose name contains "secret"), since deliveries must sign with it.
 */
public final class WebhookMessages {

    private WebhookMessages() {
    }

    /** {@code eventTypes}: the catalogue types to deliver; empty means every type. */
    public record CreateWebhookCommand(@TargetAggregateIdentifier String webhookId, String tenantId, String url,
                                       String description, Set<String> eventTypes, boolean enabled,
                                       String encryptedSecret, Actor actor) implements TenantScoped {
        @Override
        public String toString() {
            return "CreateWebhookCommand[webhookId=" + webhookId + ", tenantId=" + tenantId + "]";
        }
    }

    /** A null field is left as it is. */
    public record UpdateWebhookCommand(@TargetAggregateIdentifier String webhookId, String tenantId, String url,
                                       String description, Set<String> eventTypes, Boolean enabled, Actor actor)
            implements TenantScoped {
    }

    public record DeleteWebhookCommand(@TargetAggregateIdentifier String webhookId, String tenantId, Actor actor)
            implements TenantScoped {
    }

    /** The previous secret keeps signing (beside the new one) until {@code requestedAt} plus the overlap. */
    public record RotateWebhookSecretCommand(@TargetAggregateIdentifier String webhookId, String tenantId,
                                             String encryptedSecret, Instant requestedAt, Actor actor)
            implements TenantScoped {
        @Override
        public String toString() {
            return "RotateWebhookSecretCommand[webhookId=" + webhookId + ", tenantId=" + tenantId + "]";
        }
    }

    @Revision("1")
    public record WebhookCreatedEvent(String webhookId, String tenantId, String url, String description,
                                      Set<String> eventTypes, boolean enabled, String encryptedSecret,
                                      String createdBy) implements TenantScoped {
        @Override
        public String toString() {
            return "WebhookCreatedEvent[webhookId=" + webhookId + ", tenantId=" + tenantId + "]";
        }
    }

    /** The webhook's settings after the change (all of them, not only those changed). */
    @Revision("1")
    public record WebhookUpdatedEvent(String webhookId, String tenantId, String url, String description,
                                      Set<String> eventTypes, boolean enabled, String updatedBy)
            implements TenantScoped {
    }

    @Revision("1")
    public record WebhookDeletedEvent(String webhookId, String tenantId, String deletedBy) implements TenantScoped {
    }

    /** {@code previousValidUntil}: until then the replaced secret signs too. */
    @Revision("1")
    public record WebhookSecretRotatedEvent(String webhookId, String tenantId, String encryptedSecret,
                                            Instant previousValidUntil, String rotatedBy) implements TenantScoped {
        @Override
        public String toString() {
            return "WebhookSecretRotatedEvent[webhookId=" + webhookId + ", tenantId=" + tenantId + "]";
        }
    }

    public record ListWebhooksQuery(String tenantId) {
    }

    public record FindWebhookQuery(String tenantId, String webhookId) {
    }

    /** What a tenant sees of a webhook: never its secret. */
    public record WebhookView(String id, String url, String description, Set<String> eventTypes, boolean enabled,
                              String createdBy, Instant createdAt, Instant updatedAt, Instant secretRotatedAt,
                              Instant previousSecretValidUntil) {
    }
}
