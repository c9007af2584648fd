package com.catalytic.deploy.auth;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.auth.StartSessionCommand;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.secrets.Hashing;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The life of a session over HTTP: deactivation ends it for good, concurrent use of one refresh token revokes it,
 * refreshes are limited per session and per client address, and a long session is snapshotted without losing its
 * reuse detection or its history. Each test uses a client address of its own (X-Forwarded-For from loopback).
 */
class SessionLifecycleTest {

    private static final int PER_SESSION = 8;
    private static final int PER_ADDRESS = 20;

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of(
                "catalytic.auth.max-refreshes-per-session", String.valueOf(PER_SESSION),
                "catalytic.auth.max-refreshes-per-ip", String.valueOf(PER_ADDRESS),
                "catalytic.auth.session-snapshot-threshold", "3"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void deactivationEndsTheUsersSessionsAndReactivationDoesNotBringThemBack() {
        String ip = newAddress();
        Accounts.Account owner = Accounts.registerAndLogin(http, "deact-owner");
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String memberEmail = Accounts.uniqueEmail("deact-member");
        Response added = http.post("/api/users", Map.of("email", memberEmail, "role", "member",
                "password", Accounts.PASSWORD), bearer(owner.accessToken()));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        String memberId = added.text("id");

        // two sessions of the member; the first one refreshed once
        Accounts.Account first = Accounts.login(http, memberEmail, Accounts.PASSWORD);
        Accounts.Account second = Accounts.login(http, memberEmail, Accounts.PASSWORD);
        Response rotated = refresh(first.refreshToken(), ip);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String firstAccess = rotated.text("access_token");
        String firstRefresh = rotated.text("refresh_token");
        assertThat(http.get("/api/me", bearer(firstAccess)).status()).isEqualTo(200);
        assertThat(http.get("/api/me", bearer(second.accessToken())).status()).isEqualTo(200);

        Response off = http.method("PATCH", "/api/users/" + memberId, "{\"active\":false}",
                bearer(owner.accessToken()));
        assertThat(off.status()).as(off.toString()).isEqualTo(200);
        assertThat(http.get("/api/me", bearer(firstAccess)).text("code")).isEqualTo("account_disabled");

        Response on = http.method("PATCH", "/api/users/" + memberId, "{\"active\":true}",
                bearer(owner.accessToken()));
        assertThat(on.status()).as(on.toString()).isEqualTo(200);

        // the tokens of both sessions stay dead after the reactivation
        for (String access : List.of(firstAccess, second.accessToken())) {
            Response me = http.get("/api/me", bearer(access));
            assertThat(me.status()).as(me.toString()).isEqualTo(401);
            assertThat(me.text("code")).isEqualTo("token_revoked");
        }
        for (String refreshToken : List.of(firstRefresh, second.refreshToken())) {
            Response r = refresh(refreshToken, ip);
            assertThat(r.status()).as(r.toString()).isEqualTo(401);
            assertThat(r.text("code")).isEqualTo("session_revoked");
        }
        assertThat(app.jdbc().queryForList("SELECT revoked_reason FROM auth_sessions WHERE user_id = ? "
                + "AND revoked_at IS NOT NULL", String.class, memberId)).containsOnly("account_deactivated");

        // positive controls: the member signs in again, and the owner's session was never touched
        Accounts.Account again = Accounts.login(http, memberEmail, Accounts.PASSWORD);
        assertThat(http.get("/api/me", bearer(again.accessToken())).status()).isEqualTo(200);
        assertThat(refresh(again.refreshToken(), ip).status()).isEqualTo(200);
        assertThat(http.get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);
        assertThat(refresh(owner.refreshToken(), ip).status()).isEqualTo(200);
    }

    @Test
    void oneRefreshTokenPresentedConcurrentlyRotatesOnceAndRevokesTheSession() throws Exception {
        String ip = newAddress();
        Accounts.Account acct = Accounts.registerAndLogin(http, "concurrent");
        String sessionId = acct.refreshToken().substring(0, acct.refreshToken().indexOf('.'));
        int clients = 6;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Response>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return refresh(acct.refreshToken(), ip);
                }));
            }
            go.countDown();
            List<Response> answers = new ArrayList<>();
            for (Future<Response> f : futures) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
            List<Response> won = answers.stream().filter(r -> r.status() == 200).toList();
            List<Response> lost = answers.stream().filter(r -> r.status() != 200).toList();
            assertThat(won).as("answers %s", answers).hasSize(1);
            assertThat(lost).hasSize(clients - 1).allSatisfy(r -> {
                assertThat(r.status()).as(r.toString()).isEqualTo(401);
                assertThat(r.text("code")).isIn("refresh_token_reused", "session_revoked");
            });
            // the first one to present the rotated-out token revealed the reuse; the others found the session revoked
            assertThat(lost).filteredOn(r -> "refresh_token_reused".equals(r.text("code"))).hasSize(1);

            Response winner = won.get(0);
            Response again = refresh(winner.text("refresh_token"), ip);
            assertThat(again.status()).as(again.toString()).isEqualTo(401);
            assertThat(again.text("code")).isEqualTo("session_revoked");
            for (String access : List.of(winner.text("access_token"), acct.accessToken())) {
                Response me = http.get("/api/me", bearer(access));
                assertThat(me.status()).isEqualTo(401);
                assertThat(me.text("code")).isEqualTo("token_revoked");
            }
            assertThat(eventsOf(sessionId, "RefreshTokenRotatedEvent")).isEqualTo(1);
            assertThat(eventsOf(sessionId, "SessionRevokedEvent")).isEqualTo(1);
            assertThat(app.jdbc().queryForObject("SELECT revoked_reason FROM auth_sessions WHERE id = ?",
                    String.class, sessionId)).isEqualTo("refresh_token_reuse");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refreshesAreLimitedPerSession() {
        String ip = newAddress();
        Accounts.Account acct = Accounts.registerAndLogin(http, "per-session");
        String token = acct.refreshToken();
        // made-up tokens naming the session, from elsewhere, do not use up its refreshes
        String stranger = newAddress();
        for (int i = 0; i < PER_SESSION + 2; i++) {
            Response forged = refresh(sessionOf(token) + ".bm90LWEtdG9rZW4.bm90LWEtdGFn", stranger);
            assertThat(forged.status()).as(forged.toString()).isEqualTo(401);
            assertThat(forged.text("code")).isEqualTo("invalid_refresh_token");
        }
        for (int i = 0; i < PER_SESSION; i++) {
            Response r = refresh(token, ip);
            assertThat(r.status()).as("refresh %d: %s", i + 1, r).isEqualTo(200);
            token = r.text("refresh_token");
        }
        Response limited = refresh(token, ip);
        assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
        assertThat(limited.text("code")).isEqualTo("too_many_requests");
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 600L);
        // nothing was stored for the refused refresh: the token is still the session's current one
        assertThat(eventsOf(sessionOf(token), "RefreshTokenRotatedEvent")).isEqualTo(PER_SESSION);
        // another session from the same address is not affected
        Accounts.Account other = Accounts.login(http, acct.email(), Accounts.PASSWORD);
        assertThat(refresh(other.refreshToken(), ip).status()).isEqualTo(200);
    }

    @Test
    void refreshesAreLimitedPerClientAddress() {
        String ip = newAddress();
        Accounts.Account acct = Accounts.registerAndLogin(http, "per-address");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tokens.add(Accounts.login(http, acct.email(), Accounts.PASSWORD).refreshToken());
        }
        for (int i = 0; i < PER_ADDRESS; i++) {
            int s = i % tokens.size();
            Response r = refresh(tokens.get(s), ip);
            assertThat(r.status()).as("refresh %d: %s", i + 1, r).isEqualTo(200);
            tokens.set(s, r.text("refresh_token"));
        }
        Response limited = refresh(tokens.get(0), ip);
        assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
        assertThat(limited.text("code")).isEqualTo("too_many_requests");
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 600L);
        // the same session from another address goes through
        Response elsewhere = refresh(tokens.get(0), newAddress());
        assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(200);
    }

    @Test
    void aSnapshottedSessionKeepsItsReuseDetectionAndItsHistory() {
        String ip = newAddress();
        Accounts.Account owner = Accounts.registerAndLogin(http, "snapshot");
        // a session as earlier versions started it: an untagged refresh token
        String sessionId = UUID.randomUUID().toString();
        String legacySecret = Base64.getUrlEncoder().withoutPadding().encodeToString(
                UUID.randomUUID().toString().getBytes());
        app.bean(CommandGateway.class).sendAndWait(new StartSessionCommand(sessionId, owner.tenantId(),
                owner.userId(), Hashing.sha256Hex(legacySecret), Instant.now().plus(Duration.ofDays(30)), 0));

        List<String> issued = new ArrayList<>();
        String token = sessionId + "." + legacySecret;
        for (int i = 0; i < 6; i++) {
            Response r = refresh(token, ip);
            assertThat(r.status()).as("refresh %d: %s", i + 1, r).isEqualTo(200);
            token = r.text("refresh_token");
            issued.add(token);
        }
        String snapshot = app.jdbc().queryForObject("SELECT convert_from(payload, 'UTF8') FROM snapshot_event_entry "
                + "WHERE aggregate_identifier = ?", String.class, sessionId);
        assertThat(snapshot).contains(sessionId).contains(Hashing.sha256Hex(legacySecret));

        // the history still lists every event from the first, not the snapshot
        Response history = http.get("/api/history/session/" + sessionId, bearer(owner.accessToken()));
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        JsonNode events = history.json().path("events");
        assertThat(events.size()).as(history.toString()).isEqualTo(7);
        assertThat(events.path(0).path("sequence").asLong()).isZero();
        assertThat(events.path(0).path("type").asText()).isEqualTo("SessionStartedEvent");

        // the untagged first token is recognised from the retained hashes, after the snapshot
        Response reuse = refresh(sessionId + "." + legacySecret, ip);
        assertThat(reuse.status()).as(reuse.toString()).isEqualTo(401);
        assertThat(reuse.text("code")).isEqualTo("refresh_token_reused");
        assertThat(refresh(issued.get(issued.size() - 1), ip).text("code")).isEqualTo("session_revoked");
    }

    @Test
    void aTaggedTokenOfTheSessionIsReuseEvenLongAfterItWasRotated() {
        String ip = newAddress();
        Accounts.Account acct = Accounts.registerAndLogin(http, "old-token");
        String first = acct.refreshToken();
        String token = first;
        for (int i = 0; i < 3; i++) {
            Response r = refresh(token, ip);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            token = r.text("refresh_token");
        }
        // a made-up secret for the session ends nothing (only a token the session issued reveals a leak)
        Response garbled = refresh(sessionOf(first) + ".bm90LWEtdG9rZW4.bm90LWEtdGFn", ip);
        assertThat(garbled.status()).isEqualTo(401);
        assertThat(garbled.text("code")).isEqualTo("invalid_refresh_token");
        assertThat(http.get("/api/me", bearer(acct.accessToken())).status()).isEqualTo(200);

        Response reuse = refresh(first, ip);
        assertThat(reuse.status()).isEqualTo(401);
        assertThat(reuse.text("code")).isEqualTo("refresh_token_reused");
        assertThat(refresh(token, ip).text("code")).isEqualTo("session_revoked");
    }

    private static Response refresh(String refreshToken, String ip) {
        return http.post("/auth/refresh", Map.of("refresh_token", refreshToken), "X-Forwarded-For", ip);
    }

    private static String sessionOf(String refreshToken) {
        return refreshToken.substring(0, refreshToken.indexOf('.'));
    }

    private static int eventsOf(String sessionId, String type) {
        return app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE ?", Integer.class, sessionId, "%" + type);
    }

    private static int addresses;

    /** A client address of the documentation range (RFC 5737) per test: the per-address counters start at 0. */
    private static synchronized String newAddress() {
        return "203.0.113." + (++addresses);
    }
}
