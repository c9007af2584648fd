package com.catalytic.deploy.web;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.secrets.Hashing;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Idempotency-Key} on POST: the same key and request run once and answer the same, on any node; the same key
 * with another request is 422; concurrent requests with one key run once; keys belong to their caller.
 */
class IdempotencyKeyTest {

    static final String SCHEMA = TestApp.newSchema();
    static final Map<String, String> SETTINGS = Map.of("catalytic.plans.free.users", "50");
    static TestApp a;
    static TestApp b;
    static Account owner;
    static String[] auth;

    @BeforeAll
    static void start() {
        a = TestApp.start(SCHEMA, SETTINGS);
        b = TestApp.start(SCHEMA, SETTINGS);
        owner = Accounts.registerAndLogin(a.http(), "idem");
        auth = bearer(owner.accessToken());
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }

    static String member(String email) {
        return "{\"email\":\"" + email + "\",\"role\":\"viewer\",\"password\":\"" + Accounts.PASSWORD + "\"}";
    }

    static Response post(Http http, String body, String key) {
        return http.post("/api/users", body, auth[0], auth[1], "Idempotency-Key", key);
    }

    static long users(String email) {
        return a.jdbc().queryForObject("SELECT count(*) FROM users WHERE email = ?", Long.class, email);
    }

    @Test
    void theSameKeyAndRequestRunOnceAndAnswerTheSame() {
        String email = Accounts.uniqueEmail("once");
        String key = UUID.randomUUID().toString();
        Response first = post(a.http(), member(email), key);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(first.header(IdempotencyFilter.REPLAYED)).isNull();
        Response retry = post(a.http(), member(email), key);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.raw()).isEqualTo(first.raw());
        assertThat(retry.header(IdempotencyFilter.REPLAYED)).isEqualTo("true");
        assertThat(users(email)).isEqualTo(1);
        // without a key the same request runs again, and the domain refuses the second one
        Response unkeyed = a.http().post("/api/users", member(email), auth);
        assertThat(unkeyed.status()).as("the command really ran again: " + unkeyed).isEqualTo(409);
    }

    @Test
    void anAnswerHoldingASecretIsStoredSealedAndReplayedWhole() {
        String idem = UUID.randomUUID().toString();
        Map<String, Object> body = Map.of("name", "sealed", "scopes", List.of("users:read"));
        Response first = a.http().post("/api/api-keys", body, auth[0], auth[1], "Idempotency-Key", idem);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        String apiKey = first.text("key");
        assertThat(apiKey).startsWith("clc_live_");
        Response retry = b.http().post("/api/api-keys", body, auth[0], auth[1], "Idempotency-Key", idem);
        assertThat(retry.header(IdempotencyFilter.REPLAYED)).isEqualTo("true");
        assertThat(retry.text("key")).as("the secret shown once is shown again to the retry").isEqualTo(apiKey);

        byte[] stored = a.jdbc().queryForObject("SELECT body FROM idempotency_keys WHERE idem_key = ?", byte[].class,
                idem);
        assertThat(stored).as("the stored answer").isNotEmpty();
        String asText = new String(stored, StandardCharsets.ISO_8859_1);
        assertThat(asText).doesNotContain(apiKey).doesNotContain(apiKey.substring(9)).doesNotContain("\"key\"");
        // a stored answer moved to another row does not open there: the retry of that row runs again instead
        String other = UUID.randomUUID().toString();
        String email = Accounts.uniqueEmail("moved");
        assertThat(post(a.http(), member(email), other).status()).isEqualTo(201);
        assertThat(a.jdbc().update("UPDATE idempotency_keys SET body = ? WHERE idem_key = ?", stored, other))
                .isEqualTo(1);
        Response moved = post(a.http(), member(email), other);
        assertThat(moved.header(IdempotencyFilter.REPLAYED)).as("not replayed: " + moved).isNull();
        assertThat(moved.raw()).doesNotContain(apiKey);
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefused() {
        String key = UUID.randomUUID().toString();
        String email = Accounts.uniqueEmail("first");
        assertThat(post(a.http(), member(email), key).status()).isEqualTo(201);
        String other = Accounts.uniqueEmail("other");
        Response reused = post(a.http(), member(other), key);
        assertThat(reused.status()).as(reused.toString()).isEqualTo(422);
        assertThat(reused.text("code")).isEqualTo("idempotency_key_reused");
        assertThat(users(other)).as("nothing ran").isZero();
        assertThat(post(a.http(), member(other), UUID.randomUUID().toString()).status())
                .as("with a key of its own it runs").isEqualTo(201);
    }

    @Test
    void concurrentRequestsWithOneKeyRunOnce() throws Exception {
        String email = Accounts.uniqueEmail("race");
        String key = UUID.randomUUID().toString();
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Http http = i % 2 == 0 ? a.http() : b.http();
            Callable<Response> call = () -> {
                go.await();
                return post(http, member(email), key);
            };
            answers.add(pool.submit(call));
        }
        go.countDown();
        List<Response> done = new ArrayList<>();
        for (Future<Response> f : answers) {
            done.add(f.get());
        }
        pool.shutdown();
        assertThat(done).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isIn(201, 409));
        assertThat(done).filteredOn(r -> r.status() == 409)
                .allSatisfy(r -> assertThat(r.text("code")).isEqualTo("idempotency_key_in_use"));
        List<String> created = done.stream().filter(r -> r.status() == 201).map(Response::raw).distinct().toList();
        assertThat(created).as("every 201 is the one answer").hasSize(1);
        assertThat(users(email)).as("ran once").isEqualTo(1);
        Response after = post(b.http(), member(email), key);
        assertThat(after.status()).isEqualTo(201);
        assertThat(after.raw()).isEqualTo(created.get(0));
    }

    @Test
    void aKeyHoldsOnEveryNode() {
        String email = Accounts.uniqueEmail("nodes");
        String key = UUID.randomUUID().toString();
        Response onA = post(a.http(), member(email), key);
        assertThat(onA.status()).isEqualTo(201);
        Response onB = post(b.http(), member(email), key);
        assertThat(onB.status()).isEqualTo(201);
        assertThat(onB.header(IdempotencyFilter.REPLAYED)).isEqualTo("true");
        assertThat(onB.raw()).isEqualTo(onA.raw());
        assertThat(post(b.http(), member(Accounts.uniqueEmail("else")), key).status()).isEqualTo(422);
        assertThat(users(email)).isEqualTo(1);
    }

    @Test
    void keysBelongToTheirCaller() {
        Response issued = a.http().post("/api/api-keys", Map.of("name", "idem", "scopes", List.of("users:manage",
                "lattices:read", "usage:read", "users:read")), auth);
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        String apiKey = issued.text("key");
        String email = Accounts.uniqueEmail("caller");
        String key = UUID.randomUUID().toString();
        assertThat(post(a.http(), member(email), key).status()).isEqualTo(201);
        Response byKey = a.http().post("/api/users", member(email), "X-API-Key", apiKey, "Idempotency-Key", key);
        assertThat(byKey.header(IdempotencyFilter.REPLAYED)).as("not another caller's answer").isNull();
        assertThat(byKey.status()).as("it ran, and the address is taken: " + byKey).isEqualTo(409);
    }

    @Test
    void aClaimWhoseRequestNeverAnsweredIsTakenOverOnceItsLockRunsOut() {
        String principal = "user:" + owner.userId();
        Instant now = Instant.now();
        // a live claim of this very request (a node working on it): 409, retry later
        String busyEmail = Accounts.uniqueEmail("busy");
        String busyKey = UUID.randomUUID().toString();
        claim(principal, busyKey, "POST /api/users?\n" + member(busyEmail), now, now.plusSeconds(60));
        Response busy = post(a.http(), member(busyEmail), busyKey);
        assertThat(busy.status()).as(busy.toString()).isEqualTo(409);
        assertThat(busy.text("code")).isEqualTo("idempotency_key_in_use");
        assertThat(users(busyEmail)).isZero();
        // the same, but its node died: once the lock ran out, the request runs
        String email = Accounts.uniqueEmail("orphan");
        String key = UUID.randomUUID().toString();
        claim(principal, key, "POST /api/users?\n" + member(email), now.minusSeconds(120), now.minusSeconds(60));
        Response taken = post(a.http(), member(email), key);
        assertThat(taken.status()).as(taken.toString()).isEqualTo(201);
        assertThat(users(email)).isEqualTo(1);
    }

    /**
     * The first attempt took effect but its answer was lost (the database went away before the answer was kept): a
     * repeat with the same key creates nothing twice, since the ids a keyed request creates follow from its key.
     */
    @Test
    void aRepeatOfARequestWhoseAnswerWasLostIsNotAppliedTwice() {
        String name = "lost-answer-" + UUID.randomUUID();
        String body = "{\"name\":\"" + name + "\",\"scopes\":[\"users:read\"]}";
        String key = UUID.randomUUID().toString();
        Response first = a.http().post("/api/api-keys", body, auth[0], auth[1], "Idempotency-Key", key);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(a.jdbc().update("UPDATE idempotency_keys SET status = NULL, content_type = NULL, body = NULL, "
                + "locked_until = ? WHERE tenant_id = ? AND idem_key = ?", Timestamp.from(Instant.now().minusSeconds(60)),
                owner.tenantId(), key)).as("the answer lost, the claim lapsed").isEqualTo(1);

        Response repeat = a.http().post("/api/api-keys", body, auth[0], auth[1], "Idempotency-Key", key);
        assertThat(repeat.status()).as(repeat.toString()).isEqualTo(409);
        assertThat(repeat.text("code")).isEqualTo("already_applied");
        assertThat(keysNamed(name)).containsExactly(first.text("id"));
        Response again = a.http().post("/api/api-keys", body, auth[0], auth[1], "Idempotency-Key", key);
        assertThat(again.header(IdempotencyFilter.REPLAYED)).as("that answer is kept").isEqualTo("true");
        assertThat(again.text("code")).isEqualTo("already_applied");

        // positive control: another key is another request, which creates another API key
        Response other = a.http().post("/api/api-keys", body, auth[0], auth[1], "Idempotency-Key",
                UUID.randomUUID().toString());
        assertThat(other.status()).isEqualTo(201);
        assertThat(keysNamed(name)).containsExactlyInAnyOrder(first.text("id"), other.text("id"));
    }

    static List<String> keysNamed(String name) {
        return a.jdbc().queryForList("SELECT id FROM api_keys WHERE tenant_id = ? AND name = ?", String.class,
                owner.tenantId(), name);
    }

    static void claim(String principal, String key, String request, Instant created, Instant lockedUntil) {
        assertThat(a.jdbc().update("INSERT INTO idempotency_keys (tenant_id, principal, idem_key, fingerprint, "
                        + "created_at, locked_until) VALUES (?, ?, ?, ?, ?, ?)", owner.tenantId(), principal, key,
                Hashing.sha256Hex(request), Timestamp.from(created), Timestamp.from(lockedUntil))).isEqualTo(1);
    }

    @Test
    void aKeyThatIsNotVisibleAsciiIsRefused() {
        Response tooLong = post(a.http(), member(Accounts.uniqueEmail("bad")), "k".repeat(256));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.text("code")).isEqualTo("invalid_idempotency_key");
    }
}
