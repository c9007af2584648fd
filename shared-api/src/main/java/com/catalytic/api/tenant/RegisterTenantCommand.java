package com.catalytic.api.tenant;

import com.catalytic.api.identity.TenantScoped;
import com.catalytic.api.personal.DataSubject;
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
                                    String ownerPassword)
        implements TenantScoped, DataSubject {

    @Override
    public String dataSubjectId() {
        return ownerUserId;
    }
    @Override
    public String toString() {
        return "RegisterTenantCommand[tenantId=" + tenantId + ", slug=" + slug + ", ownerUserId=" + ownerUserId + "]";
    }
}
