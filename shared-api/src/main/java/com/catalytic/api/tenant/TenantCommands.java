package com.catalytic.api.tenant;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.TenantScoped;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Commands handled by the tenant aggregate after registration: the tenant's own settings and its membership. */
public final class TenantCommands {

    private TenantCommands() {
    }

    public record RenameTenantCommand(@TargetAggregateIdentifier String tenantId, String name, Actor actor)
            implements TenantScoped {
    }

    public record SuspendTenantCommand(@TargetAggregateIdentifier String tenantId, String reason, Actor actor)
            implements TenantScoped {
    }

    public record ReinstateTenantCommand(@TargetAggregateIdentifier String tenantId, String reason, Actor actor)
            implements TenantScoped {
    }

    /** The reason of every suspension for unpaid invoices starts with this; only those are lifted by billing. */
    public static final String NON_PAYMENT_REASON = "non-payment";

    /** True for the reason of a suspension for unpaid invoices. */
    public static boolean isNonPaymentReason(String suspensionReason) {
        return suspensionReason != null && suspensionReason.startsWith(NON_PAYMENT_REASON);
    }

    /**
     * Brings the tenant to what its subscription says (billing, after each Stripe event): the plan, and suspended
     * for non-payment or not. Each part is a no-op when the tenant is already there, and a suspension for another
     * reason (an operator's) is never lifted.
     */
    public record ApplyBillingStatusCommand(@TargetAggregateIdentifier String tenantId, String plan,
                                            boolean suspendForNonPayment, int failedPayments, Actor actor)
            implements TenantScoped {
    }

    /** Moves the tenant to another plan of the catalogue (billing, operators). */
    public record ChangePlanCommand(@TargetAggregateIdentifier String tenantId, String plan, Actor actor)
            implements TenantScoped {
    }

    /**
     * Adds a member. With {@code initialPassword} the account can log in at once; without it the member is invited
     * and sets a password through the one-time link whose hash is {@code invitationTokenHash}.
     */
    public record AddUserCommand(@TargetAggregateIdentifier String tenantId, String userId, String email, Role role,
                                 String initialPassword, String invitationTokenHash, Instant invitationExpiresAt,
                                 Actor actor) implements TenantScoped {
        @Override
        public String toString() {
            return "AddUserCommand[tenantId=" + tenantId + ", userId=" + userId + ", role=" + role + "]";
        }
    }

    public record ChangeUserRoleCommand(@TargetAggregateIdentifier String tenantId, String userId, Role role, Actor actor)
            implements TenantScoped {
    }

    public record DeactivateUserCommand(@TargetAggregateIdentifier String tenantId, String userId, Actor actor)
            implements TenantScoped {
    }

    public record ReactivateUserCommand(@TargetAggregateIdentifier String tenantId, String userId, Actor actor)
            implements TenantScoped {
    }

    /**
     * One change of a member's role and/or active flag (either may be null: unchanged), decided and applied all or
     * nothing: {@code PATCH /api/users/{id}} with both never leaves half of it applied.
     */
    public record ChangeMemberCommand(@TargetAggregateIdentifier String tenantId, String userId, Role role,
                                      Boolean active, Actor actor) implements TenantScoped {
    }

    public record RemoveUserCommand(@TargetAggregateIdentifier String tenantId, String userId, Actor actor)
            implements TenantScoped {
    }
}
