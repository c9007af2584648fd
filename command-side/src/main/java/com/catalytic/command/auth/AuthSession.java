package com.catalytic.command.auth;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.catalytic.api.auth.RefreshOutcome;
import com.catalytic.api.auth.RefreshOutcome.Result;
import com.catalytic.api.auth.RefreshTokenRotatedEvent;
import com.catalytic.api.auth.RevokeSessionCommand;
import com.catalytic.api.auth.RotateRefreshTokenCommand;
import com.catalytic.api.auth.SessionRevokedEvent;
import com.catalytic.api.auth.SessionStartedEvent;
import com.catalytic.api.auth.StartSessionCommand;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A login session and its refresh-token family. Each refresh rotates the token; presenting a token that was
 * already rotated out means it leaked, so the whole session is revoked (and stays revoked). A session can be
 * refreshed for at most its maximum lifetime from its start, whatever the sliding expiry says.
 */
@Aggregate(type = "session")
public class AuthSession {

    @AggregateIdentifier
    private String sessionId;
    private String tenantId;
    private String userId;
    private Instant startedAt;
    private int sessionEpoch;
    private String currentTokenHash;
    private final Set<String> retiredTokenHashes = new HashSet<>();
    private Instant expiresAt;
    private boolean revoked;

    protected AuthSession() {
    }

    @CommandHandler
    public AuthSession(StartSessionCommand cmd) {
        apply(new SessionStartedEvent(cmd.sessionId(), cmd.tenantId(), cmd.userId(), cmd.refreshTokenHash(),
                cmd.expiresAt(), cmd.sessionEpoch()));
    }

    @CommandHandler
    public RefreshOutcome handle(RotateRefreshTokenCommand cmd) {
        if (revoked) {
            return outcome(Result.REVOKED);
        }
        if (retiredTokenHashes.contains(cmd.presentedTokenHash())) {
            apply(new SessionRevokedEvent(sessionId, tenantId, userId, RevokeSessionCommand.REFRESH_TOKEN_REUSE));
            return outcome(Result.REUSE_DETECTED);
        }
        if (!cmd.presentedTokenHash().equals(currentTokenHash)) {
            return outcome(Result.INVALID);
        }
        Instant deadline = startedAt.plus(cmd.maxLifetime());
        if (!cmd.requestedAt().isBefore(expiresAt) || !cmd.requestedAt().isBefore(deadline)) {
            return outcome(Result.EXPIRED);
        }
        Instant newExpiry = deadline.isBefore(cmd.newExpiresAt()) ? deadline : cmd.newExpiresAt();
        apply(new RefreshTokenRotatedEvent(sessionId, tenantId, userId, cmd.newTokenHash(), newExpiry));
        return outcome(Result.ROTATED);
    }

    @CommandHandler
    public void handle(RevokeSessionCommand cmd) {
        if (!revoked) {
            apply(new SessionRevokedEvent(sessionId, tenantId, userId, cmd.reason()));
        }
    }

    private RefreshOutcome outcome(Result result) {
        return new RefreshOutcome(result, tenantId, userId, sessionEpoch);
    }

    @EventSourcingHandler
    void on(SessionStartedEvent event, @Timestamp Instant at) {
        this.sessionId = event.sessionId();
        this.tenantId = event.tenantId();
        this.userId = event.userId();
        this.startedAt = at;
        this.sessionEpoch = event.sessionEpoch() == null ? 0 : event.sessionEpoch();
        this.currentTokenHash = event.refreshTokenHash();
        this.expiresAt = event.expiresAt();
    }

    @EventSourcingHandler
    void on(RefreshTokenRotatedEvent event) {
        retiredTokenHashes.add(currentTokenHash);
        this.currentTokenHash = event.newTokenHash();
        this.expiresAt = event.expiresAt();
    }

    @EventSourcingHandler
    void on(SessionRevokedEvent event) {
        this.revoked = true;
    }
}
