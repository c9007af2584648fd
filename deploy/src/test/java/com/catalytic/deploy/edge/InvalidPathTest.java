package com.catalytic.deploy.edge;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application answers 400 {@code invalid_path} to a path that a proxy could read differently from it: path
 * parameters ({@code ;}), dot and empty segments, encoded separators and needlessly encoded characters. A proxy
 * rule on {@code /auth/} or {@code /actuator/} therefore cannot be walked around by writing the path another way.
 */
class InvalidPathTest {

    static final String WRONG_LOGIN = "{\"email\":\"nobody@example.com\",\"password\":\"not the password\"}";

    static TestApp app;
    static Http http;
    static Account owner;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of());
        http = app.http();
        owner = Accounts.registerAndLogin(http, "paths");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void pathParametersAreRefusedOnEveryPath() {
        // positive controls: the plain paths reach their handlers
        Response login = http.post("/auth/login", WRONG_LOGIN);
        assertThat(login.status()).as("%s", login).isEqualTo(401);
        assertThat(login.text("code")).isEqualTo("invalid_credentials");
        assertThat(http.get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);
        assertThat(http.get("/health").status()).isEqualTo(200);

        for (String path : List.of("/auth;x/login", "/auth/login;x", "/auth;/login", "/%61uth;x/login",
                "/auth%3Bx/login", "/auth%3bx/login", "/auth/login%3B")) {
            assertInvalidPath(http.post(path, WRONG_LOGIN, "X-Request-ID", "path-probe-1"), path, "path-probe-1");
        }
        for (String path : List.of("/api;x/me", "/api/me;jsessionid=0123", "/actuator;x/prometheus",
                "/actuator/prometheus;x", "/health;x")) {
            assertInvalidPath(http.get(path, "X-Request-ID", "path-probe-2", "Authorization",
                    "Bearer " + owner.accessToken()), path, "path-probe-2");
        }
    }

    @Test
    void dotSegmentsEmptySegmentsAndDisguisedCharactersAreRefused() {
        Response login = http.post("/auth/login", WRONG_LOGIN);
        assertThat(login.status()).as("%s", login).isEqualTo(401);

        for (String path : List.of("//auth/login", "/auth//login", "/auth/./login", "/api/../auth/login",
                "/auth/%2e%2e/auth/login", "/auth/%2E/login", "/%61uth/login", "/auth/logi%6E", "/auth%2Flogin",
                "/auth%2flogin", "/auth%5Clogin", "/auth/login%25")) {
            assertInvalidPath(http.post(path, WRONG_LOGIN, "X-Request-ID", "path-probe-3"), path, "path-probe-3");
        }
    }

    @Test
    void queryStringsAndNecessaryEscapesAreNotPathDefects() {
        assertThat(http.get("/health?probe=a;b").status()).isEqualTo(200);
        assertThat(http.get("/health?probe=a%3Bb%2F%2e").status()).isEqualTo(200);
        // an escaped non-ASCII character or space is how such a path has to be written: routed, not refused
        for (String path : List.of("/api/users/caf%C3%A9", "/api/users/a%20b")) {
            Response r = http.get(path, bearer(owner.accessToken()));
            assertThat(r.status()).as("%s: %s", path, r).isEqualTo(404);
            assertThat(r.text("code")).isEqualTo("not_found");
        }
    }

    private static void assertInvalidPath(Response r, String path, String requestId) {
        assertThat(r.status()).as("%s: %s", path, r).isEqualTo(400);
        assertThat(r.header("Content-Type")).as(path).startsWith("application/problem+json");
        assertThat(r.text("code")).as(path).isEqualTo("invalid_path");
        assertThat(r.header("X-Request-ID")).as(path).isEqualTo(requestId);
        assertThat(r.text("request_id")).as(path).isEqualTo(requestId);
    }
}
