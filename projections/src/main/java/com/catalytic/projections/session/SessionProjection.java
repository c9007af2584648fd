package com.catalytic.projections.session;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.auth.RefreshTokenRotatedEvent;
import com.catalytic.api.auth.SessionRevokedEvent;
import com.catalytic.api.auth.SessionStartedEvent;
import com.catalytic.projections.Rows;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds {@code auth_sessions}, one statement per event (in the command's transaction: every login, refresh and
 * logout writes here); a creation delivered again leaves the row as it is.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.SESSIONS)
class SessionProjection {

    private final JdbcTemplate jdbc;

    SessionProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(SessionStartedEvent event, @Timestamp Instant at) {
        jdbc.update("INSERT INTO auth_sessions (id, tenant_id, user_id, started_at, expires_at) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", event.sessionId(), event.tenantId(), event.userId(), Rows.time(at),
                Rows.time(event.expiresAt()));
    }

    @EventHandler
    void on(RefreshTokenRotatedEvent event) {
        jdbc.update("UPDATE auth_sessions SET expires_at = ? WHERE id = ?", Rows.time(event.expiresAt()),
                event.sessionId());
    }

    @EventHandler
    void on(SessionRevokedEvent event, @Timestamp Instant at) {
        jdbc.update("UPDATE auth_sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL",
                Rows.time(at), event.reason(), event.sessionId());
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM auth_sessions");
    }
}
