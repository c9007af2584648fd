package com.catalytic.projections.session;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.auth.RefreshTokenRotatedEvent;
import com.catalytic.api.auth.SessionRevokedEvent;
import com.catalytic.api.auth.SessionStartedEvent;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.stereotype.Component;

/** Builds {@code auth_sessions}. */
@Component
@ProcessingGroup(ProcessingGroupNames.SESSIONS)
class SessionProjection {

    private final SessionRepository sessions;

    public SessionProjection(SessionRepository sessions) {
        this.sessions = sessions;
    }

    @EventHandler
    void on(SessionStartedEvent event, @Timestamp Instant at) {
        sessions.save(new SessionRow(event.sessionId(), event.tenantId(), event.userId(), at, event.expiresAt()));
    }

    @EventHandler
    void on(RefreshTokenRotatedEvent event) {
        sessions.findById(event.sessionId()).ifPresent(row -> {
            row.extend(event.expiresAt());
            sessions.save(row);
        });
    }

    @EventHandler
    void on(SessionRevokedEvent event, @Timestamp Instant at) {
        sessions.findById(event.sessionId()).ifPresent(row -> {
            row.revoke(at, event.reason());
            sessions.save(row);
        });
    }

    @ResetHandler
    void reset() {
        sessions.deleteAllInBatch();
    }
}
