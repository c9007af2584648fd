package com.catalytic.projections.tenant;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.tenant.TenantEvents.TenantPlanChangedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantReinstatedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantRenamedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantSuspendedEvent;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import java.time.Instant;
import java.util.function.Consumer;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.stereotype.Component;

/** Builds {@code tenants}. Part of the "accounts" group, which login and every tenant check read. */
@Component
@ProcessingGroup(ProcessingGroupNames.ACCOUNTS)
class TenantProjection {

    private final TenantRepository tenants;

    public TenantProjection(TenantRepository tenants) {
        this.tenants = tenants;
    }

    @EventHandler
    void on(TenantRegisteredEvent event, @Timestamp Instant at) {
        tenants.save(new TenantRow(event.tenantId(), event.name(), event.slug(), event.plan(), "active", at));
    }

    @EventHandler
    void on(TenantRenamedEvent event, @Timestamp Instant at) {
        update(event.tenantId(), t -> t.rename(event.name(), at));
    }

    @EventHandler
    void on(TenantSuspendedEvent event, @Timestamp Instant at) {
        update(event.tenantId(), t -> t.suspend(event.reason(), at));
    }

    @EventHandler
    void on(TenantReinstatedEvent event, @Timestamp Instant at) {
        update(event.tenantId(), t -> t.reinstate(at));
    }

    @EventHandler
    void on(TenantPlanChangedEvent event, @Timestamp Instant at) {
        update(event.tenantId(), t -> t.setPlan(event.plan(), at));
    }

    private void update(String tenantId, Consumer<TenantRow> change) {
        tenants.findById(tenantId).ifPresent(t -> {
            change.accept(t);
            tenants.save(t);
        });
    }

    @ResetHandler
    void reset() {
        tenants.deleteAllInBatch();
    }
}
