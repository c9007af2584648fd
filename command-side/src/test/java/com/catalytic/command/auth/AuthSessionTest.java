package com.catalytic.command.auth;

import com.catalytic.api.auth.RefreshOutcome;
import com.catalytic.api.auth.RefreshOutcome.Result;
import com.catalytic.api.auth.RefreshTokenRotatedEvent;
import com.catalytic.api.auth.RevokeSessionCommand;
import com.catalytic.api.auth.RotateRefreshTokenCommand;
import com.catalytic.api.auth.SessionRevokedEvent;
import com.catalytic.api.auth.SessionStartedEvent;
import com.catalytic.api.auth.StartSessionCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuthSessionTest {

    private static final String SESSION_ID = "session-1";
    private static final String TENANT_ID = "tenant-1";
    private static final String USER_ID = "user-1";
    private static final String FIRST_HASH = "hash-1";
    private static final String SECOND_HASH = "hash-2";
    private static final String THIRD_HASH = "hash-3";
    // the command carries the instant it was requested at, so expiry is decided against a fixed clock
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Instant LATER = NOW.plus(Duration.ofDays(30));
    private static final Instant EVEN_LATER = LATER.plus(Duration.ofDays(30));
    private static final Instant PAST = NOW.minus(Duration.ofMinutes(1));
    private static final Duration MAX_LIFETIME = Duration.ofDays(90);

    private AggregateTestFixture<AuthSession> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(AuthSession.class);
        // the session starts (its first event is stored) at NOW
        fixture.givenCurrentTime(NOW);
    }

    @Test
    void startingASessionRecordsItsRefreshToken() {
        fixture.givenNoPriorActivity()
               .when(new StartSessionCommand(SESSION_ID, TENANT_ID, USER_ID, FIRST_HASH, LATER, 0))
               .expectSuccessfulHandlerExecution()
               .expectEvents(started(FIRST_HASH, LATER));
    }

    @Test
    void theCurrentTokenIsRotated() {
        fixture.given(started(FIRST_HASH, LATER))
               .when(rotate(FIRST_HASH, SECOND_HASH))
               .expectEvents(new RefreshTokenRotatedEvent(SESSION_ID, TENANT_ID, USER_ID, SECOND_HASH, EVEN_LATER))
               .expectResultMessagePayload(outcome(Result.ROTATED));
    }

    @Test
    void theTokenIssuedByARotationIsTheNextCurrentOne() {
        fixture.given(started(FIRST_HASH, LATER), rotated(SECOND_HASH, LATER))
               .when(rotate(SECOND_HASH, THIRD_HASH))
               .expectEvents(new RefreshTokenRotatedEvent(SESSION_ID, TENANT_ID, USER_ID, THIRD_HASH, EVEN_LATER))
               .expectResultMessagePayload(outcome(Result.ROTATED));
    }

    @Test
    void presentingARetiredTokenRevokesTheSession() {
        fixture.given(started(FIRST_HASH, LATER), rotated(SECOND_HASH, LATER))
               .when(rotate(FIRST_HASH, THIRD_HASH))
               .expectEvents(revoked(RevokeSessionCommand.REFRESH_TOKEN_REUSE))
               .expectResultMessagePayload(outcome(Result.REUSE_DETECTED));
    }

    @Test
    void reuseIsDetectedForAnyEarlierToken() {
        fixture.given(started(FIRST_HASH, LATER), rotated(SECOND_HASH, LATER), rotated(THIRD_HASH, LATER))
               .when(rotate(FIRST_HASH, "hash-4"))
               .expectEvents(revoked("refresh_token_reuse"))
               .expectResultMessagePayload(outcome(Result.REUSE_DETECTED));
    }

    @Test
    void aRevokedSessionNoLongerRotatesItsCurrentToken() {
        fixture.given(started(FIRST_HASH, LATER), rotated(SECOND_HASH, LATER),
                      revoked(RevokeSessionCommand.REFRESH_TOKEN_REUSE))
               .when(rotate(SECOND_HASH, THIRD_HASH))
               .expectNoEvents()
               .expectResultMessagePayload(outcome(Result.REVOKED));
    }

    @Test
    void aRevokedSessionIsNotRevokedAgainOnReuse() {
        fixture.given(started(FIRST_HASH, LATER), rotated(SECOND_HASH, LATER), revoked(RevokeSessionCommand.LOGOUT))
               .when(rotate(FIRST_HASH, THIRD_HASH))
               .expectNoEvents()
               .expectResultMessagePayload(outcome(Result.REVOKED));
    }

    @Test
    void anUnknownTokenIsInvalid() {
        fixture.given(started(FIRST_HASH, LATER))
               .when(rotate("not-a-token-of-this-session", SECOND_HASH))
               .expectNoEvents()
               .expectResultMessagePayload(outcome(Result.INVALID));
    }

    @Test
    void anExpiredSessionIsNotRotated() {
        fixture.given(started(FIRST_HASH, PAST))
               .when(rotate(FIRST_HASH, SECOND_HASH))
               .expectNoEvents()
               .expectResultMessagePayload(outcome(Result.EXPIRED));
    }

    @Test
    void aRotationMovesTheExpiry() {
        fixture.given(started(FIRST_HASH, LATER), rotated(SECOND_HASH, PAST))
               .when(rotate(SECOND_HASH, THIRD_HASH))
               .expectNoEvents()
               .expectResultMessagePayload(outcome(Result.EXPIRED));
    }

    @Test
    void logoutRevokesTheSession() {
        fixture.given(started(FIRST_HASH, LATER))
               .when(new RevokeSessionCommand(SESSION_ID, RevokeSessionCommand.LOGOUT))
               .expectSuccessfulHandlerExecution()
               .expectEvents(revoked("logout"));
    }

    @Test
    void revokingTwiceIsANoOp() {
        fixture.given(started(FIRST_HASH, LATER), revoked(RevokeSessionCommand.LOGOUT))
               .when(new RevokeSessionCommand(SESSION_ID, RevokeSessionCommand.LOGOUT))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void aRotationNeverExtendsTheSessionBeyondItsMaximumLifetime() {
        Instant nearTheEnd = NOW.plus(Duration.ofDays(80));
        fixture.given(started(FIRST_HASH, LATER), rotated(SECOND_HASH, nearTheEnd.plus(Duration.ofDays(1))))
               .when(new RotateRefreshTokenCommand(SESSION_ID, SECOND_HASH, true, THIRD_HASH,
                       nearTheEnd.plus(Duration.ofDays(30)), nearTheEnd, MAX_LIFETIME))
               .expectEvents(new RefreshTokenRotatedEvent(SESSION_ID, TENANT_ID, USER_ID, THIRD_HASH,
                       NOW.plus(MAX_LIFETIME)))
               .expectResultMessagePayload(outcome(Result.ROTATED));
    }

    @Test
    void pastItsMaximumLifetimeASessionIsExpiredWhateverItsSlidingExpiry() {
        Instant afterTheEnd = NOW.plus(MAX_LIFETIME);
        fixture.given(started(FIRST_HASH, LATER), rotated(SECOND_HASH, afterTheEnd.plus(Duration.ofDays(20))))
               .when(new RotateRefreshTokenCommand(SESSION_ID, SECOND_HASH, true, THIRD_HASH,
                       afterTheEnd.plus(Duration.ofDays(30)), afterTheEnd, MAX_LIFETIME))
               .expectNoEvents()
               .expectResultMessagePayload(outcome(Result.EXPIRED));
    }

    @Test
    void anyEarlierTokenIssuedForTheSessionIsReuseHoweverOld() {
        fixture.given(startedAndRotated(40))
               .when(new RotateRefreshTokenCommand(SESSION_ID, "hash-0", true, "hash-new", EVEN_LATER, NOW,
                       MAX_LIFETIME))
               .expectEvents(revoked(RevokeSessionCommand.REFRESH_TOKEN_REUSE))
               .expectResultMessagePayload(outcome(Result.REUSE_DETECTED));
    }

    @Test
    void onlyTheLastUntaggedTokensAreRemembered() {
        // the oldest retired hashes are forgotten: the state stays bounded however often the session is refreshed
        fixture.given(startedAndRotated(AuthSession.RETIRED_HASHES_KEPT + 4))
               .when(rotate("hash-3", "hash-new"))
               .expectNoEvents()
               .expectResultMessagePayload(outcome(Result.INVALID));
    }

    @Test
    void theLastUntaggedTokensStillRevealReuse() {
        fixture.given(startedAndRotated(AuthSession.RETIRED_HASHES_KEPT + 4))
               .when(rotate("hash-4", "hash-new"))
               .expectEvents(revoked(RevokeSessionCommand.REFRESH_TOKEN_REUSE))
               .expectResultMessagePayload(outcome(Result.REUSE_DETECTED));
    }

    @Test
    void theOutcomeNamesTheEpochTheSessionStartedIn() {
        fixture.given(new SessionStartedEvent(SESSION_ID, TENANT_ID, USER_ID, FIRST_HASH, LATER, 3))
               .when(rotate(FIRST_HASH, SECOND_HASH))
               .expectResultMessagePayload(new RefreshOutcome(Result.ROTATED, TENANT_ID, USER_ID, 3));
    }

    @Test
    void aSessionStoredBeforeEpochsIsOfEpochZero() {
        fixture.given(new SessionStartedEvent(SESSION_ID, TENANT_ID, USER_ID, FIRST_HASH, LATER, null))
               .when(rotate(FIRST_HASH, SECOND_HASH))
               .expectResultMessagePayload(new RefreshOutcome(Result.ROTATED, TENANT_ID, USER_ID, 0));
    }

    @Test
    void aGarbledTokenOfTheSessionEndsNothing() {
        fixture.given(startedAndRotated(3))
               .when(rotate("hash-never-issued", "hash-new"))
               .expectNoEvents()
               .expectResultMessagePayload(outcome(Result.INVALID));
    }

    /** Started with {@code hash-0}, then rotated to {@code hash-1} … {@code hash-<rotations>}. */
    private static List<Object> startedAndRotated(int rotations) {
        List<Object> events = new ArrayList<>();
        events.add(started("hash-0", LATER));
        for (int i = 1; i <= rotations; i++) {
            events.add(rotated("hash-" + i, LATER));
        }
        return events;
    }

    private static RotateRefreshTokenCommand rotate(String presentedHash, String newHash) {
        return new RotateRefreshTokenCommand(SESSION_ID, presentedHash, false, newHash, EVEN_LATER, NOW, MAX_LIFETIME);
    }

    private static SessionStartedEvent started(String hash, Instant expiresAt) {
        return new SessionStartedEvent(SESSION_ID, TENANT_ID, USER_ID, hash, expiresAt, 0);
    }

    private static RefreshTokenRotatedEvent rotated(String newHash, Instant expiresAt) {
        return new RefreshTokenRotatedEvent(SESSION_ID, TENANT_ID, USER_ID, newHash, expiresAt);
    }

    private static SessionRevokedEvent revoked(String reason) {
        return new SessionRevokedEvent(SESSION_ID, TENANT_ID, USER_ID, reason);
    }

    private static RefreshOutcome outcome(Result result) {
        return new RefreshOutcome(result, TENANT_ID, USER_ID, 0);
    }
}
