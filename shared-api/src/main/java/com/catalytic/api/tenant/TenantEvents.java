package com.catalytic.api.tenant;

import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.TenantScoped;
import org.axonframework.serialization.Revision;

/** Events of the tenant aggregate after registration. Stored forever: never change their meaning. */
public final class TenantEvents {

    private TenantEvents() {
    }

    @Revision("1")
    public record TenantRenamedEvent(String tenantId, String name) implements TenantScoped {
    }

    @Revision("1")
    public record TenantSuspendedEvent(String tenantId, String reason) implements TenantScoped {
    }

    @Revision("1")
    public record TenantReinstatedEvent(String tenantId, String reason) implements TenantScoped {
    }

    @Revision("1")
    public record TenantPlanChangedEvent(String tenantId, String previousPlan, String plan) implements TenantScoped {
    }

    /** A member joined the tenant's roster; the account itself is the user aggregate's {@code UserRegisteredEvent}. */
    @Revision("1")
    public record UserAddedEvent(String tenantId, String userId, String email, Role role, boolean invited,
                                 String addedBy) implements TenantScoped {
    }

    @Revision("1")
    public record UserRoleChangedEvent(String tenantId, String userId, Role previousRole, Role role)
            implements TenantScoped {
    }

    @Revision("1")
    public record UserDeactivatedEvent(String tenantId, String userId) implements TenantScoped {
    }

    @Revision("1")
    public record UserReactivatedEvent(String tenantId, String userId) implements TenantScoped {
    }

    @Revision("1")
    public record UserRemovedEvent(String tenantId, String userId, String email) implements TenantScoped {
    }
}
