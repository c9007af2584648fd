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
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A login session and its refresh-token family. Each refresh rotates the token; presenting a token that was
 * already rotated out means it leaked, so the whole session is revoked (and stays revoked). A session can be
 * refreshed for at most its maximum lifetime from its start, whatever the sliding expiry says.
 * <p>
 * The state is bounded: a rotated-out token is recognised by the tag the service checks
 * ({@link RotateRefreshTokenCommand#presentedTokenIssuedForSession()}), so only the last few hashes are kept, for
 * tokens issued before tags existed. Snapshots (by field, {@link Revision}) bound the replay of long sessions.
 */
@Aggregate(type = "session", snapshotTriggerDefinition = "sessionSnapshotTrigger")
@Revision("1")
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class AuthSession {

    /** Hashes of untagged (older) rotated-out tokens kept for reuse detection. */
    static final int RETIRED_HASHES_KEPT = 16;

    @AggregateIdentifier
    private String sessionId;
    private String tenantId;
    private String userId;
    private Instant startedAt;
    private int sessionEpoch;
    private String currentTokenHash;
    private List<String> retiredTokenHashes = new ArrayList<>();
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
        if (!cmd.presentedTokenHash().equals(currentTokenHash)) {
            if (cmd.presentedTokenIssuedForSession() || retiredTokenHashes.contains(cmd.presentedTokenHash())) {
                apply(new SessionRevokedEvent(sessionId, tenantId, userId, RevokeSessionCommand.REFRESH_TOKEN_REUSE));
                return outcome(Result.REUSE_DETECTED);
            }
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
        if (retiredTokenHashes.size() > RETIRED_HASHES_KEPT) {
            retiredTokenHashes.remove(0);
        }
        this.currentTokenHash = event.newTokenHash();
        this.expiresAt = event.expiresAt();
    }

    @EventSourcingHandler
    void on(SessionRevokedEvent event) {
        this.revoked = true;
    }
}
