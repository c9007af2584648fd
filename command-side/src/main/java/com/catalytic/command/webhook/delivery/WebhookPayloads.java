package com.catalytic.command.webhook.delivery;

import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyIssuedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRevokedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRotatedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentFailedEvent;
import com.catalytic.api.billing.SubscriptionEvents.PaymentSucceededEvent;
import com.catalytic.api.billing.SubscriptionEvents.SubscriptionUpdatedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeDeletedEvent;
import com.catalytic.api.personal.PersonalData;
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
import com.catalytic.api.webhook.WebhookEventTypes;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A domain event as a webhook event of the catalogue ({@link WebhookEventTypes}): its type (the event's audit
 * action) and its {@code data}, as the type's JSON Schema describes it. Events outside the catalogue have none.
 */
final class WebhookPayloads {

    /** The tenant it belongs to, the catalogue type and the {@code data} object. */
    public record Payload(String tenantId, String type, Map<String, Object> data) {
    }

    private WebhookPayloads() {
    }

    /** The payload of event {@code e}; personal data in it opened (an erased subject's reads as erased). */
    public static Optional<Payload> of(Object e, PersonalData personalData) {
        Payload p = map(e, personalData);
        if (p != null && !WebhookEventTypes.isKnown(p.type())) {
            throw new IllegalStateException("not in the webhook catalogue: " + p.type());
        }
        return Optional.ofNullable(p);
    }

    private static Payload map(Object p, PersonalData personalData) {
        if (p instanceof TenantRegisteredEvent e) {
            return of(e.tenantId(), "tenant.registered", "name", e.name(), "slug", e.slug(), "plan", e.plan());
        }
        if (p instanceof TenantRenamedEvent e) return of(e.tenantId(), "tenant.renamed", "name", e.name());
        if (p instanceof TenantSuspendedEvent e) return of(e.tenantId(), "tenant.suspended", "reason", e.reason());
        if (p instanceof TenantReinstatedEvent e) {
            return of(e.tenantId(), "tenant.reinstated", "reason", e.reason());
        }
        if (p instanceof TenantPlanChangedEvent e) {
            return of(e.tenantId(), "tenant.plan_changed", "previous_plan", e.previousPlan(), "plan", e.plan());
        }
        if (p instanceof UserAddedEvent e) {
            return of(e.tenantId(), "user.added", "user_id", e.userId(), "email", personalData.open(e.email()),
                    "role", e.role().wire(), "invited", e.invited());
        }
        if (p instanceof UserRoleChangedEvent e) {
            return of(e.tenantId(), "user.role_changed", "user_id", e.userId(), "previous_role",
                    e.previousRole().wire(), "role", e.role().wire());
        }
        if (p instanceof UserDeactivatedEvent e) return of(e.tenantId(), "user.deactivated", "user_id", e.userId());
        if (p instanceof UserReactivatedEvent e) return of(e.tenantId(), "user.reactivated", "user_id", e.userId());
        if (p instanceof UserRemovedEvent e) return of(e.tenantId(), "user.removed", "user_id", e.userId());
        if (p instanceof PersonalDataErasedEvent e) {
            return of(e.tenantId(), "user.personal_data_erased", "user_id", e.userId());
        }
        if (p instanceof InvitationAcceptedEvent e) {
            return of(e.tenantId(), "user.invitation_accepted", "user_id", e.userId());
        }
        if (p instanceof ApiKeyIssuedEvent e) {
            return of(e.tenantId(), "api_key.issued", "api_key_id", e.keyId(), "name", e.name(), "scopes",
                    List.copyOf(new TreeSet<>(e.scopes())), "expires_at", time(e.expiresAt()), "rotated_from",
                    e.rotatedFrom());
        }
        if (p instanceof ApiKeyRevokedEvent e) return of(e.tenantId(), "api_key.revoked", "api_key_id", e.keyId());
        if (p instanceof ApiKeyRotatedEvent e) {
            return of(e.tenantId(), "api_key.rotated", "api_key_id", e.keyId(), "replaced_by", e.replacedBy(),
                    "valid_until", time(e.validUntil()));
        }
        if (p instanceof SubscriptionUpdatedEvent e) {
            return of(e.tenantId(), "subscription.updated", "plan", e.plan(), "interval", e.interval(), "status",
                    e.status(), "current_period_end", time(e.currentPeriodEnd()), "cancel_at_period_end",
                    e.cancelAtPeriodEnd());
        }
        if (p instanceof PaymentSucceededEvent e) {
            return of(e.tenantId(), "subscription.payment_succeeded", "amount_paid", e.amountPaid(), "currency",
                    e.currency());
        }
        if (p instanceof PaymentFailedEvent e) {
            return of(e.tenantId(), "subscription.payment_failed", "failed_payments", e.failedPayments());
        }
        if (p instanceof UsageThresholdReachedEvent e) {
            return of(e.tenantId(), "usage.threshold_reached", "period", e.period(), "threshold_percent",
                    e.thresholdPercent(), "used", e.used(), "limit", e.limit());
        }
        if (p instanceof LatticeCreatedEvent e) {
            return of(e.tenantId(), "lattice.created", "lattice_id", e.latticeId(), "name", e.name(), "dimensions",
                    e.dimensions(), "size", e.size(), "vertices", e.vertices(), "edges", e.edges());
        }
        if (p instanceof LatticeDeletedEvent e) return of(e.tenantId(), "lattice.deleted", "lattice_id", e.latticeId());
        return null;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    private static Payload of(String tenantId, String type, Object... nameThenValue) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < nameThenValue.length; i += 2) {
            data.put((String) nameThenValue[i], nameThenValue[i + 1]);
        }
        return new Payload(tenantId, type, data);
    }
}
