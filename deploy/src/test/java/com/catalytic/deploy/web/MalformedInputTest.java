package com.catalytic.deploy.web;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input never produces a 500 and never changes anything: every endpoint of the foundation is fed malformed
 * bodies and must answer a 4xx problem response, and the event store must hold exactly as many events afterwards.
 */
class MalformedInputTest {

    static final String HUGE = "x".repeat(100_000);
    static final String TWO_MIB = "{\"email\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}";

    static TestApp app;
    static Http http;
    static Accounts.Account account;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of());
        http = app.http();
        account = Accounts.registerAndLogin(http, "fuzz");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** Bodies that are wrong in every way we could think of, by name. */
    static Map<String, String> badBodies(String validExample) {
        Map<String, String> b = new LinkedHashMap<>();
        b.put("invalid json", "{\"email\": ");
        b.put("not json at all", "hello");
        b.put("empty", "");
        b.put("json null", "null");
        b.put("array", "[1,2,3]");
        b.put("string", "\"text\"");
        b.put("number", "42");
        b.put("empty object", "{}");
        b.put("wrong types", "{\"email\": 5, \"password\": true, \"company_name\": [1], \"refresh_token\": {}}");
        b.put("nulls", "{\"email\": null, \"password\": null, \"company_name\": null, \"refresh_token\": null}");
        b.put("huge strings", "{\"email\": \"" + HUGE + "@example.com\", \"password\": \"" + HUGE
                + "\", \"company_name\": \"" + HUGE + "\", \"refresh_token\": \"" + HUGE + "\"}");
        b.put("unknown field", validExample.replaceFirst("\\{", "{\"is_admin\": true, "));
        b.put("trailing garbage", validExample + " {}");
        b.put("deep nesting", "{\"email\": " + "[".repeat(5000) + "]".repeat(5000) + "}");
        b.put("bad e-mail", "{\"email\": \"not-an-email\", \"password\": \"" + Accounts.PASSWORD
                + "\", \"company_name\": \"X\"}");
        b.put("control chars", "{\"email\": \"a\\u0000b@example.com\", \"password\": \"\\u0000\", \"company_name\": \"\\u0007\"}");
        b.put("2 MiB body", TWO_MIB);
        return b;
    }

    @Test
    void jsonEndpointsAnswerProblemsForEveryBadBody() {
        Map<String, String> endpoints = Map.of(
                "/auth/register", "{\"email\": \"" + Accounts.uniqueEmail("valid") + "\", \"password\": \""
                        + Accounts.PASSWORD + "\", \"company_name\": \"Valid Co\"}",
                "/auth/login", "{\"email\": \"" + account.email() + "\", \"password\": \"" + Accounts.PASSWORD + "\"}",
                "/auth/refresh", "{\"refresh_token\": \"" + account.refreshToken() + "\"}");
        long eventsBefore = eventCount();
        endpoints.forEach((path, valid) -> badBodies(valid).forEach((name, body) -> {
            Response r = http.postRaw(path, body, "application/json");
            assertProblem(r, path + " with " + name);
        }));
        // wrong media types
        for (String path : endpoints.keySet()) {
            assertProblem(http.postRaw(path, "email=a", "application/x-www-form-urlencoded"), path + " form");
            assertProblem(http.postRaw(path, "{}", "text/plain"), path + " text/plain");
            assertProblem(http.postRaw(path, "{}", null), path + " no content type");
        }
        assertThat(eventCount()).as("bad input changes nothing").isEqualTo(eventsBefore);
    }

    @Test
    void authenticatedJsonEndpointsAnswerProblemsForEveryBadBody() {
        Accounts.changePlan(app, account.tenantId(), "starter");
        String keyId = http.post("/api/api-keys", Map.of("name", "k", "scopes", List.of("users:read")),
                bearer(account.accessToken())).text("id");
        Map<String, String[]> endpoints = new LinkedHashMap<>();
        endpoints.put("POST /api/users", new String[] {"{\"email\": \"n@example.com\", \"role\": \"viewer\", "
                + "\"password\": \"" + Accounts.PASSWORD + "\"}"});
        endpoints.put("PATCH /api/users/" + account.userId(), new String[] {"{\"role\": \"owner\"}"});
        endpoints.put("PATCH /api/tenant", new String[] {"{\"name\": \"Fuzz Inc\"}"});
        endpoints.put("POST /api/api-keys", new String[] {"{\"name\": \"n\", \"scopes\": [\"users:read\"]}"});
        endpoints.put("POST /api/api-keys/" + keyId + "/rotate", new String[] {"{\"grace_seconds\": 10}"});
        endpoints.put("POST /auth/invitations/accept", new String[] {"{\"token\": \"a.b\", \"password\": \"x\"}"});
        endpoints.put("POST /auth/password-reset", new String[] {"{\"email\": \"" + account.email() + "\"}"});
        endpoints.put("POST /auth/password-reset/confirm",
                new String[] {"{\"token\": \"a.b\", \"password\": \"x\"}"});
        endpoints.put("POST /api/subscription/checkout", new String[] {"{\"plan\": \"starter\", \"interval\": \"month\"}"});
        String checkpoint = http.get("/api/audit-logs/checkpoint", bearer(account.accessToken())).text("signature");
        assertThat(checkpoint).isNotBlank();
        endpoints.put("POST /api/audit-logs/verify", new String[] {"{\"checkpoint\": \"" + checkpoint + "\"}"});
        Response lattice = http.post("/api/lattices", Map.of("dimensions", 2, "size", 3), bearer(account.accessToken()));
        assertThat(lattice.status()).as("%s", lattice).isEqualTo(201);
        endpoints.put("POST /api/lattices", new String[] {"{\"dimensions\": 2, \"size\": 3}"});
        endpoints.put("POST /api/lattices/" + lattice.text("id") + "/path",
                new String[] {"{\"start\": [0, 0], \"end\": [2, 2]}"});
        Response webhook = http.post("/api/webhooks", Map.of("url", "https://93.184.215.14/hook"),
                bearer(account.accessToken()));
        assertThat(webhook.status()).as("%s", webhook).isEqualTo(201);
        endpoints.put("POST /api/webhooks", new String[] {"{\"url\": \"https://93.184.215.14/hook\"}"});
        endpoints.put("POST /api/webhooks/" + webhook.text("id") + "/recover",
                new String[] {"{\"since\": \"2026-12-01T00:00:00Z\"}"});
        long eventsBefore = eventCount();
        endpoints.forEach((endpoint, valid) -> {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String path = endpoint.substring(endpoint.indexOf(' ') + 1);
            badBodies(valid[0]).forEach((name, body) -> {
                Response r = method.equals("POST")
                        ? http.postRaw(path, body, "application/json", bearer(account.accessToken()))
                        : http.method(method, path, body, bearer(account.accessToken()));
                assertProblem(r, endpoint + " with " + name);
            });
        });
        assertThat(eventCount()).as("bad input changes nothing").isEqualTo(eventsBefore);
        Response badRole = http.post("/api/users", Map.of("email", "r@example.com", "role", "emperor"),
                bearer(account.accessToken()));
        assertThat(badRole.status()).isEqualTo(422);
        assertThat(badRole.text("field")).isEqualTo("role");
        Response badGrace = http.post("/api/api-keys/" + keyId + "/rotate", Map.of("grace_seconds", -5),
                bearer(account.accessToken()));
        assertThat(badGrace.status()).isEqualTo(422);
        assertThat(badGrace.text("field")).isEqualTo("grace_seconds");
    }

    @Test
    void specificAnswers() {
        assertThat(http.postRaw("/auth/register", "{\"email\": ", "application/json").text("code")).isEqualTo("malformed_json");
        Response wrongType = http.postRaw("/auth/register", "{\"email\": 5, \"password\": \"" + Accounts.PASSWORD
                + "\", \"company_name\": \"X\"}", "application/json");
        assertThat(wrongType.status()).isEqualTo(422);
        assertThat(wrongType.text("field")).isEqualTo("email");
        Response missing = http.postRaw("/auth/register", "{\"email\": \"a@example.com\"}", "application/json");
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.text("code")).isEqualTo("validation_failed");
        assertThat(missing.text("field")).isIn("password", "company_name");
        Response unknown = http.postRaw("/auth/login", "{\"email\": \"a@example.com\", \"password\": \"x\", \"role\": \"owner\"}",
                "application/json");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.text("field")).isEqualTo("role");
        Response tooBig = http.postRaw("/auth/register", TWO_MIB, "application/json");
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.text("code")).isEqualTo("payload_too_large");
        Response badEmail = http.post("/auth/register", Http.registration("not-an-email", Accounts.PASSWORD, "X"));
        assertThat(badEmail.status()).isEqualTo(422);
        assertThat(badEmail.text("field")).isEqualTo("email");
    }

    @Test
    void otherEndpointsRejectWrongMethodsOversizedBodiesAndMissingAuth() {
        List<String> getters = List.of("/api/me", "/api/tenant", "/.well-known/jwks.json", "/health");
        for (String path : getters) {
            assertProblem(http.postRaw(path, "{bad", "application/json", bearer(account.accessToken())), "POST " + path);
            assertProblem(http.method("DELETE", path, null, bearer(account.accessToken())), "DELETE " + path);
            assertProblem(http.postRaw(path, TWO_MIB, "application/json"), "2 MiB to " + path);
        }
        assertProblem(http.get("/api/me"), "me without token");
        assertProblem(http.get("/api/tenant", "Authorization", "Basic dXNlcjpwYXNz"), "tenant with basic auth");
        assertProblem(http.get("/api/me", bearer("x".repeat(16_000))), "me with a 16 kB token");
        assertProblem(http.postRaw("/auth/logout", "{bad", "application/json"), "logout without token");
        assertProblem(http.postRaw("/auth/logout", TWO_MIB, "application/json", bearer(account.accessToken())),
                "logout with 2 MiB");
        assertProblem(http.get("/auth/login"), "GET login");
        assertProblem(http.get("/no/such/path"), "unknown path");
        // the account is untouched by all of that
        assertThat(http.get("/api/me", bearer(account.accessToken())).status()).isEqualTo(200);
    }

    @Test
    void anIdOfAnotherKindOfResourceIsNotFound() {
        Accounts.changePlan(app, account.tenantId(), "starter");
        String[] auth = bearer(account.accessToken());
        Response key = http.post("/api/api-keys", Map.of("name", "kinds", "scopes", List.of("users:read")), auth);
        assertThat(key.status()).as("%s", key).isEqualTo(201);
        String keyId = key.text("id");
        String userId = account.userId();
        // each id, used where another kind of resource is expected, is simply not there
        Map<String, Response> answers = new LinkedHashMap<>();
        answers.put("rotate a user", http.post("/api/api-keys/" + userId + "/rotate", Map.of("grace_seconds", 0), auth));
        answers.put("revoke a user", http.method("DELETE", "/api/api-keys/" + userId, null, auth));
        answers.put("revoke the tenant", http.method("DELETE", "/api/api-keys/" + account.tenantId(), null, auth));
        answers.put("patch a key", http.method("PATCH", "/api/users/" + keyId, "{\"role\":\"viewer\"}", auth));
        answers.put("remove a key", http.method("DELETE", "/api/users/" + keyId, null, auth));
        answers.forEach((what, r) -> {
            assertThat(r.status()).as("%s: %s", what, r).isEqualTo(404);
            assertThat(r.text("code")).as(what).isEqualTo("not_found");
        });
        // the same calls with the right kind of id work (the positive control)
        assertThat(http.post("/api/api-keys/" + keyId + "/rotate", Map.of("grace_seconds", 0), auth).status()).isEqualTo(201);
        assertThat(http.get("/api/users/" + userId, auth).status()).isEqualTo(200);
    }

    @Test
    void randomBytesNeverCauseAServerError() {
        Random random = new Random(20261125L);
        for (String path : List.of("/auth/register", "/auth/login", "/auth/refresh")) {
            for (int i = 0; i < 40; i++) {
                byte[] bytes = new byte[random.nextInt(300)];
                random.nextBytes(bytes);
                String body = new String(bytes, StandardCharsets.ISO_8859_1);
                assertProblem(http.postRaw(path, body, "application/json"), path + " random #" + i);
            }
        }
    }

    private static void assertProblem(Response r, String what) {
        assertThat(r.status()).as("%s -> %s", what, r).isBetween(400, 499);
        assertThat(r.header("Content-Type")).as("%s content type", what).startsWith("application/problem+json");
        assertThat(r.text("code")).as("%s code", what).isNotBlank();
        assertThat(r.header("X-Request-ID")).as("%s request id", what).isNotBlank();
    }

    private static long eventCount() {
        // metering records every call, bad or good: only other events count as changes
        Long n = app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry "
                + "WHERE payload_type NOT LIKE '%UsageRecorded%'", Long.class);
        return n == null ? 0 : n;
    }
}
