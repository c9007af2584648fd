package com.catalytic.deploy.auth;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The life of a session over HTTP: deactivation ends it for good. Each test uses a client address of its own
 * (X-Forwarded-For from loopback).
 */
class SessionLifecycleTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of());
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

        Response off = http.method("PATCH", "/api/users/" + memberId, "{\"active\":false}", bearer(owner.accessToken()));
        assertThat(off.status()).as(off.toString()).isEqualTo(200);
        assertThat(http.get("/api/me", bearer(firstAccess)).text("code")).isEqualTo("account_disabled");

        Response on = http.method("PATCH", "/api/users/" + memberId, "{\"active\":true}", bearer(owner.accessToken()));
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

    private static Response refresh(String refreshToken, String ip) {
        return http.post("/auth/refresh", Map.of("refresh_token", refreshToken), "X-Forwarded-For", ip);
    }

    private static int addresses;

    /** A client address of the documentation range (RFC 5737) per test: the per-address counters start at 0. */
    private static synchronized String newAddress() {
        return "203.0.113." + (++addresses);
    }
}
