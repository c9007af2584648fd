package com.catalytic.command.auth;

import com.catalytic.api.auth.SessionRevokedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

/** Puts every revoked session into the fast store, whatever revoked it (logout, reuse detection, deactivation). */
@Component
@ProcessingGroup("session-revocations")
public class SessionRevocationListener {

    private final RevocationRegistry revocations;

    public SessionRevocationListener(RevocationRegistry revocations) {
        this.revocations = revocations;
    }

    @EventHandler
    void on(SessionRevokedEvent event) {
        revocations.markRevoked(event.sessionId());
    }
}
