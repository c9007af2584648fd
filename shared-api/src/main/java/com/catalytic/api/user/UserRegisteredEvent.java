package com.catalytic.api.user;

import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.TenantScoped;
import org.axonframework.serialization.Revision;

/** A user account exists in a tenant with this role. The password is only ever stored as its hash. */
@Revision("1")
public record UserRegisteredEvent(String userId, String tenantId, String email, String passwordHash, Role role) implements TenantScoped {
    @Override
    public String toString() {
        return "UserRegisteredEvent[userId=" + userId + ", tenantId=" + tenantId + ", role=" + role + "]";
    }
}
