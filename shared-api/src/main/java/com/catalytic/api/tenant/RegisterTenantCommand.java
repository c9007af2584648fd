package com.catalytic.api.tenant;

import com.catalytic.api.identity.TenantScoped;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Signs a company up: creates the tenant and its owner in one step. The caller chooses the ids.
 * The password travels in clear only inside the process; {@link #toString()} never shows it.
 */
public record RegisterTenantCommand(@TargetAggregateIdentifier String tenantId,
                                    String companyName,
                                    String slug,
                                    String ownerUserId,
                                    String ownerEmail,
                                    String ownerPassword) implements TenantScoped {
    @Override
    public String toString() {
        return "RegisterTenantCommand[tenantId=" + tenantId + ", slug=" + slug + ", ownerUserId=" + ownerUserId + "]";
    }
}
