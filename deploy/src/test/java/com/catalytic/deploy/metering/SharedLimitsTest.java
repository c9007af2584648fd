package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.account.AccountQueries.TenantState;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.LocalRedis;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.credentials.CredentialCache;
import com.catalytic.infrastructure.metering.QuotaLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Two nodes sharing a private Redis (which the test stops and starts) and the database: limits hold across nodes
 * (one bucket and one count in Redis, which the test reads), survive a Redis outage per node, and quotas stay exact
 * throughout.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedLimitsTest {

    static LocalRedis redis = new LocalRedis();
    static String schema = TestApp.newSchema();
    static TestApp nodeA;
    static TestApp nodeB;

    @BeforeAll
    static void start() {
        redis.start();
        Map<String, String> settings = Map.of(
                "REDIS_PORT", Integer.toString(redis.port()),
                "catalytic.plans.free.requests-per-minute", "10",
                "catalytic.plans.starter.requests-per-minute", "300",
                "catalytic.plans.starter.api-calls-per-month", "30",
                "catalytic.plans.professional.requests-per-minute", "1200",
                "catalytic.plans.enterprise.api-calls-per-month", "40",
                "catalytic.rate-limit.expected-nodes", "2");
        nodeA = TestApp.start(schema, settings);
        nodeB = TestApp.start(schema, settings);
    }

    @AfterAll
    static void stop() {
        nodeB.close();
        nodeA.close();
        redis.close();
    }

    @Test
    @Order(1)
    void oneNodeSpendsTheWholeSharedBucketAndTheOtherNodeFindsItEmpty() {
        awaitBothNodesUseRedis();
        Account owner = Accounts.registerAndLogin(nodeA.http(), "shared");
        Account other = Accounts.registerAndLogin(nodeA.http(), "bystander");
        long started = System.nanoTime();
        // 10 a minute over 2 expected nodes: a node deciding alone (the fallback) holds 5 tokens, so only the shared
        // bucket lets node A admit all 10
        for (int i = 0; i < 10; i++) {
            Response r = nodeA.http().get("/api/me", bearer(owner.accessToken()));
            assertThat(r.status()).as("call %d on node A: %s", i + 1, r).isEqualTo(200);
            assertThat(r.header("X-RateLimit-Limit")).as("the shared limit, not a node's share").isEqualTo("10");
        }
        double tokensInRedis = sharedTokens(owner);
        List<Response> onB = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            onB.add(nodeB.http().get("/api/me", bearer(owner.accessToken())));
        }
        long refilled = refilledSince(started);
        // node A's calls emptied the bucket in Redis (up to what refilled meanwhile)...
        assertThat(tokensInRedis).as("tokens left in the shared bucket").isLessThanOrEqualTo(refilled + 1e-9);
        // ...so node B, which has not admitted anything yet, finds it empty: it admits only what refilled (by
        // itself it would admit its 5)
        long admittedByB = onB.stream().filter(r -> r.status() == 200).count();
        assertThat(admittedByB).as("calls node B admitted after A spent the bucket (%s)", onB)
                .isLessThanOrEqualTo(refilled);
        for (Response r : onB) {
            assertThat(r.status()).as("%s", r).isIn(200, 429);
            assertThat(r.header("X-RateLimit-Limit")).isEqualTo("10");
            if (r.status() == 429) {
                assertThat(r.text("code")).isEqualTo("rate_limited");
                assertThat(r.header("Retry-After")).isNotNull();
            }
        }
        // positive control: node B admits another tenant's call, from a full bucket of its own
        Response bystander = nodeB.http().get("/api/me", bearer(other.accessToken()));
        assertThat(bystander.status()).as("%s", bystander).isEqualTo(200);
        assertThat(bystander.header("X-RateLimit-Remaining")).isEqualTo("9");
    }

    @Test
    @Order(2)
    void twoNodesTogetherAdmitNoMoreThanTheLimit() throws Exception {
        awaitBothNodesUseRedis();
        Account owner = Accounts.registerAndLogin(nodeA.http(), "burst");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long started = System.nanoTime();
        int ok = 0;
        int limited = 0;
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                TestApp node = i % 2 == 0 ? nodeA : nodeB;
                calls.add(pool.submit(() -> node.http().get("/api/me", bearer(owner.accessToken()))));
            }
            for (Future<Response> f : calls) {
                Response r = f.get();
                assertThat(r.status()).as("%s", r).isIn(200, 429);
                assertThat(r.header("X-RateLimit-Limit")).as("the shared limit, not a node's share").isEqualTo("10");
                if (r.status() == 200) {
                    ok++;
                } else {
                    assertThat(r.text("code")).isEqualTo("rate_limited");
                    limited++;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // 10 a minute: the burst gets the bucket's 10 tokens, plus what refilled during the burst
        assertThat(ok).isBetween(10, 10 + (int) refilledSince(started));
        assertThat(ok + limited).isEqualTo(40);
        assertThat(sharedTokens(owner)).as("tokens left in the shared bucket")
                .isLessThanOrEqualTo(refilledSince(started) + 1e-9);
    }

    @Test
    @Order(3)
    void parallelCallsAtTheQuotaEdgeOverrunItByLessThanTheCallsInFlight() throws Exception {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "edge");
        Accounts.changePlan(nodeA, owner.tenantId(), "enterprise"); // 40 calls this month here, no rate limit
        for (TestApp node : List.of(nodeA, nodeB)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> node.bean(CredentialCache.class)
                    .tenant(owner.tenantId()).map(TenantState::plan).orElse(""), "enterprise"::equals);
        }
        // positive control: the calls below the edge, one at a time on alternate nodes, are all admitted
        for (int i = 0; i < 30; i++) {
            TestApp node = i % 2 == 0 ? nodeA : nodeB;
            Response r = node.http().get("/api/me", bearer(owner.accessToken()));
            assertThat(r.status()).as("call %d of 40: %s", i + 1, r).isEqualTo(200);
        }
        String count = "test:" + schema + ":quota:" + owner.tenantId() + ":" + QuotaLedger.period(Instant.now());
        assertThat(redis().opsForValue().get(count)).as("the count both nodes share").isEqualTo("30");
        // the count is re-read from the ledger when it expires; the bound below holds while it does not
        Long ttlBefore = redis().getExpire(count);
        assertThat(ttlBefore).isGreaterThan(20);

        // 10 calls left; 80 sent by 8 clients at once across both nodes
        int clients = 8;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        int admitted = 0;
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                TestApp node = i % 2 == 0 ? nodeA : nodeB;
                calls.add(pool.submit(() -> node.http().get("/api/me", bearer(owner.accessToken()))));
            }
            for (Future<Response> f : calls) {
                Response r = f.get();
                if (r.status() == 200) {
                    admitted++;
                } else {
                    assertThat(r.status()).as("%s", r).isEqualTo(429);
                    assertThat(r.text("code")).isEqualTo("quota_exceeded");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(redis().getExpire(count)).as("the count was not re-read during the burst")
                .isLessThanOrEqualTo(ttlBefore);
        // a call is admitted while the count is below the quota and counted before it is answered: besides the 10
        // left, only calls checked while others were still in flight get through, at most one fewer than the
        // clients (README, "Metering, quotas and rate limits")
        assertThat(admitted).as("calls admitted with 10 left").isBetween(10, 10 + clients - 1);
        assertThat(redis().opsForValue().get(count)).isEqualTo(Integer.toString(30 + admitted));
        // the ledger counts exactly the admitted calls, refusals not
        int used = 30 + admitted;
        await().ignoreExceptions().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(nodeB.jdbc()
                .queryForObject("SELECT used FROM quota_ledger WHERE tenant_id = ?", Long.class, owner.tenantId()))
                .isEqualTo(used));
        Response over = nodeB.http().get("/api/me", bearer(owner.accessToken()));
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.text("code")).isEqualTo("quota_exceeded");
    }

    @Test
    @Order(4) // last: it stops Redis, and the nodes take a moment to reconnect
    void aRedisOutageKeepsRequestsFlowingAndQuotasExact() {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "outage");
        Accounts.changePlan(nodeA, owner.tenantId(), "starter");
        // starter: 300 requests/minute shared, 30 calls this month
        for (int i = 0; i < 10; i++) {
            assertThat(nodeA.http().get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);
        }
        redis.stop();
        try {
            int fromLeases = 0;
            for (int i = 0; i < 20; i++) {
                TestApp node = i % 2 == 0 ? nodeA : nodeB;
                Response r = node.http().get("/api/me", bearer(owner.accessToken()));
                assertThat(r.status()).as("call %d during the outage: %s", 11 + i, r).isEqualTo(200);
                if ("300".equals(r.header("X-RateLimit-Limit"))) {
                    fromLeases++; // a token a node leased from the shared bucket before the outage
                } else {
                    assertThat(r.header("X-RateLimit-Limit")).as("per-node share of the limit").isEqualTo("150");
                }
            }
            // what node A had left of its lease, at most 1/20 of the bucket (15 tokens of starter's 300); node B,
            // which served no call before the outage, held none
            assertThat(fromLeases).as("calls served from tokens leased before the outage").isLessThanOrEqualTo(15);
            Response over = nodeB.http().get("/api/me", bearer(owner.accessToken()));
            assertThat(over.status()).isEqualTo(429);
            assertThat(over.text("code")).as("the 31st call: quota exact without Redis").isEqualTo("quota_exceeded");
            assertThat(nodeA.http().get("/health").text("status")).isEqualTo("degraded");
        } finally {
            redis.start();
        }
        // Redis is back: shared limiting resumes (the bucket lives in Redis again) and the quota is still exact
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response r = nodeA.http().get("/api/me", bearer(owner.accessToken()));
            assertThat(r.text("code")).isEqualTo("quota_exceeded");
        });
        Accounts.changePlan(nodeA, owner.tenantId(), "professional");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response r = nodeB.http().get("/api/me", bearer(owner.accessToken()));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-RateLimit-Limit")).isEqualTo("1200");
        });
        StringRedisTemplate shared = nodeA.bean(StringRedisTemplate.class);
        assertThat(shared.keys("test:" + schema + ":rl:tenant:" + owner.tenantId())).hasSize(1);
        // the ledger counts every call once shipped from the nodes' journals (moments after an unlimited call)
        await().ignoreExceptions().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(nodeA.jdbc()
                .queryForObject("SELECT used FROM quota_ledger WHERE tenant_id = ?", Long.class, owner.tenantId()))
                .isGreaterThanOrEqualTo(31));
    }

    @Test
    @Order(5) // after the quota outage: Redis is stopped again
    void aKeyRevokedDuringARedisOutageIsRefusedByEveryNodeThenAndAfter() {
        awaitBothNodesUseRedis();
        Account owner = Accounts.registerAndLogin(nodeA.http(), "revoke-outage");
        Accounts.changePlan(nodeA, owner.tenantId(), "professional");
        String revoked = issueKey(owner, "revoked");
        String kept = issueKey(owner, "kept");
        for (TestApp node : List.of(nodeA, nodeB)) { // both nodes know both keys (their credential caches are warm)
            assertThat(node.http().get("/api/me", bearer(revoked)).status()).isEqualTo(200);
            assertThat(node.http().get("/api/me", bearer(kept)).status()).isEqualTo(200);
        }
        String id = nodeA.http().get("/api/api-keys", bearer(owner.accessToken())).json().path("api_keys")
                .findParents("name").stream().filter(k -> "revoked".equals(k.path("name").asText())).findFirst()
                .orElseThrow().path("id").asText();
        redis.stop();
        try {
            assertThat(nodeA.http().method("DELETE", "/api/api-keys/" + id, null, bearer(owner.accessToken()))
                    .status()).as("revoked while Redis is down").isEqualTo(204);
            assertThat(nodeA.http().get("/api/me", bearer(revoked)).text("code")).isEqualTo("api_key_revoked");
            // node B cannot hear it through Redis: its poll of the database tells it within seconds
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    assertThat(nodeB.http().get("/api/me", bearer(revoked)).text("code")).isEqualTo("api_key_revoked"));
            for (TestApp node : List.of(nodeA, nodeB)) {
                assertThat(node.http().get("/api/me", bearer(kept)).status()).as("the other key").isEqualTo(200);
            }
        } finally {
            redis.start();
        }
        awaitBothNodesUseRedis();
        for (TestApp node : List.of(nodeA, nodeB)) { // Redis is back, with nothing of the revocation in it
            Response r = node.http().get("/api/me", bearer(revoked));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.text("code")).isEqualTo("api_key_revoked");
            assertThat(node.http().get("/api/me", bearer(kept)).status()).isEqualTo(200);
        }
    }

    private static String issueKey(Account owner, String name) {
        Response issued = nodeA.http().post("/api/api-keys", Map.of("name", name, "scopes", List.of("users:read")),
                bearer(owner.accessToken()));
        assertThat(issued.status()).as("%s", issued).isEqualTo(201);
        return issued.text("key");
    }

    private static void awaitBothNodesUseRedis() {
        for (TestApp node : List.of(nodeA, nodeB)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(node.http().get("/health").text("status")).isEqualTo("healthy"));
        }
    }

    private static StringRedisTemplate redis() {
        return nodeA.bean(StringRedisTemplate.class);
    }

    /** The tokens of the tenant's bucket in Redis, as the limiter's script left them. */
    private static double sharedTokens(Account owner) {
        Object tokens = redis().opsForHash().get("test:" + schema + ":rl:tenant:" + owner.tenantId(), "t");
        assertThat(tokens).as("the tenant's bucket in Redis").isNotNull();
        return Double.parseDouble(tokens.toString());
    }

    /** Whole tokens a bucket of 10 a minute has refilled since {@code started}, rounded up. */
    private static long refilledSince(long started) {
        return (long) Math.ceil((System.nanoTime() - started) / 6e9);
    }
}
