package com.catalytic.projections.access;

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
import com.catalytic.api.user.UserMessages.PasswordResetEvent;
import com.catalytic.projections.Rows;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds {@code access_changes}, the feed every node polls to evict cached credentials: a revoked session or key,
 * a user whose role or status changed, a tenant suspended or moved to another plan.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.ACCESS_CHANGES)
class AccessChangeProjection {

    public static final String SESSION = "session";
    public static final String USER = "user";
    public static final String TENANT = "tenant";
    public static final String API_KEY = "api_key";

    private final JdbcTemplate jdbc;

    AccessChangeProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(SessionRevokedEvent e, @Timestamp Instant at) { record(SESSION, e.sessionId(), e.tenantId(), at); }

    @EventHandler
    void on(UserRoleChangedEvent e, @Timestamp Instant at) { record(USER, e.userId(), e.tenantId(), at); }

    @EventHandler
    void on(UserDeactivatedEvent e, @Timestamp Instant at) { record(USER, e.userId(), e.tenantId(), at); }

    @EventHandler
    void on(UserReactivatedEvent e, @Timestamp Instant at) { record(USER, e.userId(), e.tenantId(), at); }

    @EventHandler
    void on(UserRemovedEvent e, @Timestamp Instant at) { record(USER, e.userId(), e.tenantId(), at); }

    @EventHandler
    void on(InvitationAcceptedEvent e, @Timestamp Instant at) { record(USER, e.userId(), e.tenantId(), at); }

    @EventHandler
    void on(PasswordResetEvent e, @Timestamp Instant at) { record(USER, e.userId(), e.tenantId(), at); }

    @EventHandler
    void on(TenantSuspendedEvent e, @Timestamp Instant at) { record(TENANT, e.tenantId(), e.tenantId(), at); }

    @EventHandler
    void on(TenantReinstatedEvent e, @Timestamp Instant at) { record(TENANT, e.tenantId(), e.tenantId(), at); }

    @EventHandler
    void on(TenantPlanChangedEvent e, @Timestamp Instant at) { record(TENANT, e.tenantId(), e.tenantId(), at); }

    @EventHandler
    void on(ApiKeyRevokedEvent e, @Timestamp Instant at) { record(API_KEY, e.keyId(), e.tenantId(), at); }

    @EventHandler
    void on(ApiKeyRotatedEvent e, @Timestamp Instant at) { record(API_KEY, e.keyId(), e.tenantId(), at); }

    private void record(String kind, String subject, String tenantId, Instant at) {
        jdbc.update("INSERT INTO access_changes (kind, subject_id, tenant_id, changed_at) VALUES (?, ?, ?, ?)", kind,
                subject, tenantId, Rows.time(at));
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM access_changes");
    }
}
