package com.catalytic.projections.audit;

import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyIssuedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRevokedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRotatedEvent;
import com.catalytic.api.auth.RefreshTokenRotatedEvent;
import com.catalytic.api.auth.SessionRevokedEvent;
import com.catalytic.api.auth.SessionStartedEvent;
import com.catalytic.api.billing.SubscriptionEvents;
import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeDeletedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeOperationPerformedEvent;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeAddedEvent;
import com.catalytic.api.lattice.LatticeMessages.TenantLatticeReleasedEvent;
import com.catalytic.api.personal.PersonalDataMessages.PersonalDataErasedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantPlanChangedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantReinstatedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantRenamedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantSuspendedEvent;
import com.catalytic.api.tenant.TenantEvents.UserAddedEvent;
import com.catalytic.api.tenant.TenantEvents.UserDeactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserReactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRemovedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRoleChangedEvent;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import com.catalytic.api.usage.UsageEvents.UsageThresholdReachedEvent;
import com.catalytic.api.user.UserMessages.InvitationAcceptedEvent;
import com.catalytic.api.user.UserMessages.InvitationIssuedEvent;
import com.catalytic.api.user.UserMessages.PasswordHashUpgradedEvent;
import com.catalytic.api.user.UserMessages.PasswordResetEvent;
import com.catalytic.api.user.UserMessages.PasswordResetRequestedEvent;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookDeliveryRetryRequestedEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookDisabledForFailuresEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookRecoveryRequestedEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookTestRequestedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookCreatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookDeletedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookSecretRotatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookUpdatedEvent;
import java.util.Locale;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;

/**
 * The stable audit vocabulary: each event's action ({@code <aggregate_type>.<past_tense_verb>}) and target. These
 * names are part of the audit contract; an event added later without an entry here is named from its aggregate
 * type and class name.
 */
final class AuditActions {

    public record Action(String name, String targetType, String targetId) {
    }

    private AuditActions() {
    }

    public static Action of(Object p, EventMessage<?> event) {
        if (p instanceof TenantRegisteredEvent e) return new Action("tenant.registered", "tenant", e.tenantId());
        if (p instanceof TenantRenamedEvent e) return new Action("tenant.renamed", "tenant", e.tenantId());
        if (p instanceof TenantSuspendedEvent e) return new Action("tenant.suspended", "tenant", e.tenantId());
        if (p instanceof TenantReinstatedEvent e) return new Action("tenant.reinstated", "tenant", e.tenantId());
        if (p instanceof TenantPlanChangedEvent e) return new Action("tenant.plan_changed", "tenant", e.tenantId());
        if (p instanceof UserAddedEvent e) return new Action("user.added", "user", e.userId());
        if (p instanceof UserRegisteredEvent e) return new Action("user.registered", "user", e.userId());
        if (p instanceof UserRoleChangedEvent e) return new Action("user.role_changed", "user", e.userId());
        if (p instanceof UserDeactivatedEvent e) return new Action("user.deactivated", "user", e.userId());
        if (p instanceof UserReactivatedEvent e) return new Action("user.reactivated", "user", e.userId());
        if (p instanceof UserRemovedEvent e) return new Action("user.removed", "user", e.userId());
        if (p instanceof PersonalDataErasedEvent e) return new Action("user.personal_data_erased", "user", e.userId());
        if (p instanceof InvitationIssuedEvent e) return new Action("user.invited", "user", e.userId());
        if (p instanceof InvitationAcceptedEvent e) return new Action("user.invitation_accepted", "user", e.userId());
        if (p instanceof PasswordResetRequestedEvent e) return new Action("user.password_reset_requested", "user", e.userId());
        if (p instanceof PasswordResetEvent e) return new Action("user.password_reset", "user", e.userId());
        if (p instanceof PasswordHashUpgradedEvent e) return new Action("user.password_hash_upgraded", "user", e.userId());
        if (p instanceof SessionStartedEvent e) return new Action("session.started", "session", e.sessionId());
        if (p instanceof RefreshTokenRotatedEvent e) return new Action("session.refreshed", "session", e.sessionId());
        if (p instanceof SessionRevokedEvent e) return new Action("session.revoked", "session", e.sessionId());
        if (p instanceof ApiKeyIssuedEvent e) return new Action("api_key.issued", "api_key", e.keyId());
        if (p instanceof ApiKeyRevokedEvent e) return new Action("api_key.revoked", "api_key", e.keyId());
        if (p instanceof ApiKeyRotatedEvent e) return new Action("api_key.rotated", "api_key", e.keyId());
        if (p instanceof SubscriptionEvents.CheckoutStartedEvent e) return sub("checkout_started", e.subscriptionId());
        if (p instanceof SubscriptionEvents.StripeCustomerLinkedEvent e) return sub("customer_linked", e.subscriptionId());
        if (p instanceof SubscriptionEvents.SubscriptionUpdatedEvent e) return sub("updated", e.subscriptionId());
        if (p instanceof SubscriptionEvents.TrialEndingEvent e) return sub("trial_ending_notified", e.subscriptionId());
        if (p instanceof SubscriptionEvents.PaymentSucceededEvent e) return sub("payment_succeeded", e.subscriptionId());
        if (p instanceof SubscriptionEvents.PaymentFailedEvent e) return sub("payment_failed", e.subscriptionId());
        if (p instanceof SubscriptionEvents.PaymentActionRequiredEvent e) {
            return sub("payment_action_requested", e.subscriptionId());
        }
        if (p instanceof SubscriptionEvents.StripeEventRejectedEvent e) {
            return sub("stripe_event_rejected", e.subscriptionId());
        }
        if (p instanceof SubscriptionEvents.SuspendedForNonPaymentEvent e) {
            return sub("suspended_for_non_payment", e.subscriptionId());
        }
        if (p instanceof SubscriptionEvents.NonPaymentResolvedEvent e) {
            return sub("non_payment_resolved", e.subscriptionId());
        }
        if (p instanceof UsageThresholdReachedEvent e) {
            return new Action("usage.threshold_reached", "tenant", e.tenantId());
        }
        if (p instanceof WebhookCreatedEvent e) return new Action("webhook.created", "webhook", e.webhookId());
        if (p instanceof WebhookUpdatedEvent e) return new Action("webhook.updated", "webhook", e.webhookId());
        if (p instanceof WebhookDeletedEvent e) return new Action("webhook.deleted", "webhook", e.webhookId());
        if (p instanceof WebhookSecretRotatedEvent e) {
            return new Action("webhook.secret_rotated", "webhook", e.webhookId());
        }
        if (p instanceof WebhookTestRequestedEvent e) {
            return new Action("webhook.test_requested", "webhook", e.webhookId());
        }
        if (p instanceof WebhookDeliveryRetryRequestedEvent e) {
            return new Action("webhook.delivery_retried", "webhook", e.webhookId());
        }
        if (p instanceof WebhookRecoveryRequestedEvent e) {
            return new Action("webhook.recovery_requested", "webhook", e.webhookId());
        }
        if (p instanceof WebhookDisabledForFailuresEvent e) {
            return new Action("webhook.disabled_for_failures", "webhook", e.webhookId());
        }
        if (p instanceof LatticeCreatedEvent e) return new Action("lattice.created", "lattice", e.latticeId());
        if (p instanceof LatticeDeletedEvent e) return new Action("lattice.deleted", "lattice", e.latticeId());
        // the tenant's side of creating and deleting: a slot of the plan's lattice count taken and freed
        if (p instanceof TenantLatticeAddedEvent e) return new Action("tenant.lattice_added", "lattice", e.latticeId());
        if (p instanceof TenantLatticeReleasedEvent e) {
            return new Action("tenant.lattice_released", "lattice", e.latticeId());
        }
        if (p instanceof LatticeOperationPerformedEvent e) {
            return new Action(latticeOperationAction(e.operation()), "lattice", e.latticeId());
        }
        return derived(p, event);
    }

    /** {@code path} → {@code lattice.path_computed}, {@code analyze} → {@code lattice.analyzed}. */
    static String latticeOperationAction(String operation) {
        if ("path".equals(operation)) return "lattice.path_computed";
        if ("analyze".equals(operation)) return "lattice.analyzed";
        // an operation added later without a name here still gets a stable one
        String verb = operation == null ? "" : operation.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "");
        return "lattice." + (verb.isEmpty() ? "operation" : verb.substring(0, Math.min(verb.length(), 32)))
                + "_performed";
    }

    private static Action sub(String verb, String subscriptionId) {
        return new Action("subscription." + verb, "subscription", subscriptionId);
    }

    private static Action derived(Object p, EventMessage<?> event) {
        String type = event instanceof DomainEventMessage<?> d && d.getType() != null ? d.getType() : "event";
        String id = event instanceof DomainEventMessage<?> d ? d.getAggregateIdentifier() : event.getIdentifier();
        String name = p.getClass().getSimpleName().replaceAll("Event$", "")
                .replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        return new Action(type + "." + name, type, id);
    }
}
