package com.catalytic.deploy.reliability;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fifty writers on one aggregate at the same instant: every answer is a success or a 409, never a 5xx; nothing is
 * lost (each stored change was made to the state the one before left) and the read model ends as the events say.
 */
class ConcurrentWritersTest {

    static final int WRITERS = 50;
    static String schema = TestApp.newSchema();
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(schema, Map.of("catalytic.plans.free.users", "10"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
        TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    @Test
    void fiftyRoleChangesOfOneUserLoseNoUpdate() throws Exception {
        Account owner = Accounts.registerAndLogin(http, "roles");
        String[] auth = bearer(owner.accessToken());
        Response added = http.post("/api/users", Map.of("email", Accounts.uniqueEmail("target"), "role", "viewer",
                "password", Accounts.PASSWORD), auth);
        assertThat(added.status()).as("%s", added).isEqualTo(201);
        String userId = added.text("id");
        String[] roles = {"member", "admin", "viewer"};

        List<Response> answers = all(i -> http.method("PATCH", "/api/users/" + userId,
                "{\"role\":\"" + roles[i % 3] + "\"}", auth));

        assertThat(answers).as("a success or a conflict, never a fault")
                .allSatisfy(r -> assertThat(r.status()).as("%s", r).isIn(200, 409));
        long ok = answers.stream().filter(r -> r.status() == 200).count();
        assertThat(ok).as("most changes go through (the gateway retries a lost append race)").isPositive();
        List<JsonNode> changes = app.jdbc().query("SELECT convert_from(payload, 'UTF8') FROM domain_event_entry "
                        + "WHERE payload_type LIKE '%UserRoleChangedEvent' AND convert_from(payload, 'UTF8') LIKE ? "
                        + "ORDER BY global_index", (rs, n) -> json(rs.getString(1)), "%" + userId + "%");
        assertThat(changes).as("role changes stored").isNotEmpty().hasSizeLessThanOrEqualTo((int) ok);
        String previous = "viewer";
        for (JsonNode change : changes) {
            assertThat(change.path("previousRole").asText().toLowerCase(Locale.ROOT))
                    .as("each change was made to the state the last one left: no lost update").isEqualTo(previous);
            previous = change.path("role").asText().toLowerCase(Locale.ROOT);
        }
        String stored = app.jdbc().queryForObject("SELECT role FROM users WHERE id = ?", String.class, userId);
        assertThat(stored.toLowerCase(Locale.ROOT)).as("the read model says what the last event says")
                .isEqualTo(previous);
        assertThat(http.get("/api/users/" + userId, auth).text("role")).isEqualTo(previous);
        System.out.printf("RELIABILITY concurrent-role-changes writers=%d ok=%d conflicts=%d stored_changes=%d%n",
                WRITERS, ok, answers.stream().filter(r -> r.status() == 409).count(), changes.size());
    }

    @Test
    void fiftyRotationsOfOneKeyMakeOneNewKeyPerSuccess() throws Exception {
        Account owner = Accounts.registerAndLogin(http, "rotations");
        String[] auth = bearer(owner.accessToken());
        Response issued = http.post("/api/api-keys", Map.of("name", "rotated", "scopes", List.of("users:read")), auth);
        assertThat(issued.status()).as("%s", issued).isEqualTo(201);
        String keyId = issued.text("id");

        List<Response> answers = all(i -> http.post("/api/api-keys/" + keyId + "/rotate",
                Map.of("grace_seconds", 60), auth));

        assertThat(answers).as("a success or a refusal, never a fault")
                .allSatisfy(r -> assertThat(r.status()).as("%s", r).isLessThan(500));
        List<String> newKeys = answers.stream().filter(r -> r.status() == 201).map(r -> r.text("id")).toList();
        assertThat(newKeys).as("at least one rotation goes through").isNotEmpty().doesNotHaveDuplicates();
        assertThat(answers).filteredOn(r -> r.status() != 201).as("the others are refused as conflicts")
                .allSatisfy(r -> assertThat(r.status()).as("%s", r).isEqualTo(409));
        Long rotations = app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE "
                + "aggregate_identifier = ? AND payload_type LIKE '%ApiKeyRotatedEvent'", Long.class, keyId);
        assertThat(rotations).as("one stored rotation per success").isEqualTo(newKeys.size());
        List<String> successors = app.jdbc().queryForList("SELECT id FROM api_keys WHERE rotated_from = ?",
                String.class, keyId);
        assertThat(successors).as("no key made by a rotation that was refused")
                .containsExactlyInAnyOrderElementsOf(newKeys);
        System.out.printf("RELIABILITY concurrent-rotations writers=%d rotated=%d refused=%d%n", WRITERS,
                newKeys.size(), WRITERS - newKeys.size());
    }

    /** {@code WRITERS} requests, released at the same instant, answered in any order. */
    private static List<Response> all(RequestOf request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                int n = i;
                futures.add(pool.submit((Callable<Response>) () -> {
                    go.await();
                    return request.send(n);
                }));
            }
            go.countDown();
            List<Response> answers = new ArrayList<>();
            for (Future<Response> f : futures) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private interface RequestOf {
        Response send(int i);
    }

    private static JsonNode json(String s) {
        try {
            return Http.JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
