package com.catalytic.deploy.auth;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole sign-up → login → me → refresh → reuse → logout flow over a real port, on PostgreSQL and Redis. */
class AuthFlowTest {

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
    void registerLoginMeRefreshReuseLogout() {
        String email = Accounts.uniqueEmail("Flow").toUpperCase();
        Response reg = http.post("/auth/register", Http.registration(email, Accounts.PASSWORD, "Flow Works GmbH"));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        assertThat(reg.text("role")).isEqualTo("owner");
        assertThat(reg.text("email")).isEqualTo(email.toLowerCase());
        assertThat(reg.text("tenant_slug")).startsWith("flow-works-gmbh");
        assertThat(reg.text("tenant_id")).isNotBlank();
        assertThat(reg.header("X-Request-ID")).isNotBlank();

        Response login = http.post("/auth/login", Map.of("email", email.toLowerCase(), "password", Accounts.PASSWORD));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(login.text("token_type")).isEqualTo("Bearer");
        assertThat(login.json().path("expires_in").asInt()).isEqualTo(900);
        String access = login.text("access_token");
        String refresh = login.text("refresh_token");

        Response me = http.get("/api/me", bearer(access));
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.text("id")).isEqualTo(reg.text("user_id"));
        assertThat(me.text("role")).isEqualTo("owner");
        assertThat(me.json().path("tenant").path("id").asText()).isEqualTo(reg.text("tenant_id"));

        Response tenant = http.get("/api/tenant", bearer(access));
        assertThat(tenant.status()).isEqualTo(200);
        assertThat(tenant.text("name")).isEqualTo("Flow Works GmbH");
        assertThat(tenant.text("plan")).isEqualTo("free");

        // rotation: a new pair, and the new access token works
        Response rotated = http.post("/auth/refresh", Map.of("refresh_token", refresh));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String refresh2 = rotated.text("refresh_token");
        assertThat(refresh2).isNotEqualTo(refresh);
        assertThat(http.get("/api/me", bearer(rotated.text("access_token"))).status()).isEqualTo(200);

        // re-using the rotated-out token revokes the whole session
        Response reuse = http.post("/auth/refresh", Map.of("refresh_token", refresh));
        assertThat(reuse.status()).isEqualTo(401);
        assertThat(reuse.text("code")).isEqualTo("refresh_token_reused");
        assertThat(http.post("/auth/refresh", Map.of("refresh_token", refresh2)).text("code")).isEqualTo("session_revoked");
        Response afterReuse = http.get("/api/me", bearer(rotated.text("access_token")));
        assertThat(afterReuse.status()).isEqualTo(401);
        assertThat(afterReuse.text("code")).isEqualTo("token_revoked");

        // a fresh session, then logout: the token is rejected from then on
        Response again = http.post("/auth/login", Map.of("email", email, "password", Accounts.PASSWORD));
        String access2 = again.text("access_token");
        assertThat(http.get("/api/me", bearer(access2)).status()).isEqualTo(200);
        Response logout = http.post("/auth/logout", null, bearer(access2));
        assertThat(logout.status()).as(logout.toString()).isEqualTo(204);
        Response rejected = http.get("/api/me", bearer(access2));
        assertThat(rejected.status()).isEqualTo(401);
        assertThat(rejected.text("code")).isEqualTo("token_revoked");
        assertThat(http.post("/auth/refresh", Map.of("refresh_token", again.text("refresh_token"))).status()).isEqualTo(401);

        // the session history is in the event store
        Integer events = app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM domain_event_entry WHERE payload_type LIKE '%SessionRevokedEvent'", Integer.class);
        assertThat(events).isGreaterThanOrEqualTo(2);
    }

    @Test
    void duplicateEmailIsAConflictWhateverItsCase() {
        String email = Accounts.uniqueEmail("dup");
        assertThat(http.post("/auth/register", Http.registration(email, Accounts.PASSWORD, "Dup One")).status())
                .isEqualTo(201);
        Response second = http.post("/auth/register", Http.registration(" " + email.toUpperCase() + " ",
                Accounts.PASSWORD, "Dup Two"));
        assertThat(second.status()).as(second.toString()).isEqualTo(409);
        assertThat(second.text("code")).isEqualTo("email_taken");
        assertThat(second.text("field")).isEqualTo("email");
        Integer tenants = app.jdbc().queryForObject("SELECT COUNT(*) FROM tenants WHERE name = 'Dup Two'", Integer.class);
        assertThat(tenants).isZero();
    }

    @Test
    void sameCompanyNameGetsItsOwnSlug() {
        String name = "Same Name " + Accounts.uniqueEmail("x").substring(2, 10);
        Response a = http.post("/auth/register", Http.registration(Accounts.uniqueEmail("s1"), Accounts.PASSWORD, name));
        Response b = http.post("/auth/register", Http.registration(Accounts.uniqueEmail("s2"), Accounts.PASSWORD, name));
        assertThat(a.status()).isEqualTo(201);
        assertThat(b.status()).isEqualTo(201);
        assertThat(a.text("tenant_slug")).isNotEqualTo(b.text("tenant_slug"));
    }

    @Test
    void weakPasswordsAreRejectedWithTheReason() {
        String email = Accounts.uniqueEmail("weak");
        Map<String, String> cases = Map.of(
                "short", "password_too_short",
                "password123", "password_too_common",
                email, "password_matches_email");
        cases.forEach((password, code) -> {
            Response r = http.post("/auth/register", Http.registration(email, password, "Weak Co"));
            assertThat(r.status()).as(password).isEqualTo(422);
            assertThat(r.text("code")).as(password).isEqualTo(code);
            assertThat(r.text("field")).isEqualTo("password");
        });
        assertThat(http.post("/auth/login", Map.of("email", email, "password", "password123")).status()).isEqualTo(401);
    }

    @Test
    void unknownEmailAndWrongPasswordGetTheSameAnswer() {
        Accounts.Account acct = Accounts.registerAndLogin(http, "same");
        Response wrong = http.post("/auth/login", Map.of("email", acct.email(), "password", "not-the-password"));
        Response unknown = http.post("/auth/login", Map.of("email", Accounts.uniqueEmail("nobody"), "password",
                "not-the-password"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.text("code")).isEqualTo(unknown.text("code")).isEqualTo("invalid_credentials");
        assertThat(wrong.text("detail")).isEqualTo(unknown.text("detail"));
    }

    @Test
    void bruteForceOnOneAccountIsSlowedWithRetryAfter() {
        Accounts.Account acct = Accounts.registerAndLogin(http, "brute");
        for (int i = 0; i < 5; i++) {
            assertThat(http.post("/auth/login", Map.of("email", acct.email(), "password", "guess-" + i)).status())
                    .isEqualTo(401);
        }
        Response blocked = http.post("/auth/login", Map.of("email", acct.email(), "password", Accounts.PASSWORD));
        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.text("code")).isEqualTo("too_many_attempts");
        assertThat(Long.parseLong(blocked.header("Retry-After"))).isBetween(1L, 900L);
        // another account from the same address is not affected
        Accounts.Account other = Accounts.registerAndLogin(http, "bystander");
        assertThat(other.accessToken()).isNotBlank();
    }

    @Test
    void protectedEndpointsNeedAValidToken() {
        Response none = http.get("/api/me");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.text("code")).isEqualTo("authentication_required");
        assertThat(none.header("Content-Type")).startsWith("application/problem+json");
        assertThat(http.get("/api/me", bearer("not.a.jwt")).text("code")).isEqualTo("invalid_token");

        Accounts.Account acct = Accounts.registerAndLogin(http, "tamper");
        String[] parts = acct.accessToken().split("\\.");
        String forgedClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1])).replace("\"owner\"", "\"admin\"").getBytes());
        Response forged = http.get("/api/me", bearer(parts[0] + "." + forgedClaims + "." + parts[2]));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.text("code")).isEqualTo("invalid_token");
    }

    @Test
    void jwksPublishesTheSigningKey() {
        Response jwks = http.get("/.well-known/jwks.json");
        assertThat(jwks.status()).isEqualTo(200);
        JsonNode key = jwks.json().path("keys").path(0);
        assertThat(key.path("kty").asText()).isEqualTo("RSA");
        assertThat(key.path("alg").asText()).isEqualTo("RS256");
        assertThat(key.has("d")).as("private exponent must never be published").isFalse();
        String kid = key.path("kid").asText();
        Accounts.Account acct = Accounts.registerAndLogin(http, "jwks");
        String header = new String(Base64.getUrlDecoder().decode(acct.accessToken().split("\\.")[0]));
        assertThat(header).contains(kid);
    }

    @Test
    void healthReportsItsChecks() {
        Response health = http.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.text("status")).isEqualTo("healthy");
        assertThat(health.text("timestamp")).isNotBlank();
        assertThat(health.json().path("checks").path("database").path("status").asText()).isEqualTo("up");
        assertThat(health.json().path("checks").path("redis").path("status").asText()).isEqualTo("up");
        assertThat(health.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    @Test
    void requestIdIsEchoedWhenSane() {
        assertThat(http.get("/health", "X-Request-ID", "abc-123").header("X-Request-ID")).isEqualTo("abc-123");
        assertThat(http.get("/health", "X-Request-ID", "bad id with spaces").header("X-Request-ID"))
                .isNotEqualTo("bad id with spaces").isNotBlank();
    }
}
