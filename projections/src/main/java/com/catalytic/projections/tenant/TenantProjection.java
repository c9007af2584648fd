package com.catalytic.projections.tenant;

import com.catalytic.api.tenant.TenantRegisteredEvent;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.stereotype.Component;

/** Builds {@code tenants}. Part of the "accounts" group, which login and every tenant check read. */
@Component
@ProcessingGroup(TenantProjection.GROUP)
public class TenantProjection {

    public static final String GROUP = "accounts";

    private final TenantRepository tenants;

    public TenantProjection(TenantRepository tenants) {
        this.tenants = tenants;
    }

    @EventHandler
    void on(TenantRegisteredEvent event, @Timestamp Instant at) {
        tenants.save(new TenantRow(event.tenantId(), event.name(), event.slug(), event.plan(), "active", at));
    }

    @ResetHandler
    void reset() {
        tenants.deleteAllInBatch();
    }
}
