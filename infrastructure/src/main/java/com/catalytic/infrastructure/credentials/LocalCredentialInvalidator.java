package com.catalytic.infrastructure.credentials;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRevokedEvent;
import com.catalytic.api.apikey.ApiKeyMessages.ApiKeyRotatedEvent;
import com.catalytic.api.auth.SessionRevokedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantPlanChangedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantReinstatedEvent;
import com.catalytic.api.tenant.TenantEvents.TenantSuspendedEvent;
import com.catalytic.api.tenant.TenantEvents.UserDeactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserReactivatedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRemovedEvent;
import com.catalytic.api.tenant.TenantEvents.UserRoleChangedEvent;
import com.catalytic.api.user.UserMessages.InvitationAcceptedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.stereotype.Component;

/**
 * On the node that made a change, its effect on credentials is immediate: once the change commits, the affected
 * cache entries are evicted and revoked sessions are put into the fast store. Other nodes learn it from the
 * access-change feed within a poll interval (or at once from Redis, for sessions).
 */
@Component
@ProcessingGroup(ProcessingGroupNames.CREDENTIAL_INVALIDATION)
class LocalCredentialInvalidator {

    private final CredentialCache cache;
    private final RevocationRegistry revocations;

    public LocalCredentialInvalidator(CredentialCache cache, RevocationRegistry revocations) {
        this.cache = cache;
        this.revocations = revocations;
    }

    @EventHandler
    void on(SessionRevokedEvent e) { afterCommit(() -> revocations.markRevoked(e.sessionId())); }

    @EventHandler
    void on(UserRoleChangedEvent e) { afterCommit(() -> cache.evictPrincipal(e.userId())); }

    @EventHandler
    void on(UserDeactivatedEvent e) { afterCommit(() -> cache.evictPrincipal(e.userId())); }

    @EventHandler
    void on(UserReactivatedEvent e) { afterCommit(() -> cache.evictPrincipal(e.userId())); }

    @EventHandler
    void on(UserRemovedEvent e) { afterCommit(() -> cache.evictPrincipal(e.userId())); }

    @EventHandler
    void on(InvitationAcceptedEvent e) { afterCommit(() -> cache.evictPrincipal(e.userId())); }

    @EventHandler
    void on(TenantSuspendedEvent e) { afterCommit(() -> cache.evictTenant(e.tenantId())); }

    @EventHandler
    void on(TenantReinstatedEvent e) { afterCommit(() -> cache.evictTenant(e.tenantId())); }

    @EventHandler
    void on(TenantPlanChangedEvent e) { afterCommit(() -> cache.evictTenant(e.tenantId())); }

    @EventHandler
    void on(ApiKeyRevokedEvent e) { afterCommit(() -> cache.evictApiKey(e.keyId())); }

    @EventHandler
    void on(ApiKeyRotatedEvent e) { afterCommit(() -> cache.evictApiKey(e.keyId())); }

    private static void afterCommit(Runnable action) {
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(u -> action.run());
        } else {
            action.run();
        }
    }
}
