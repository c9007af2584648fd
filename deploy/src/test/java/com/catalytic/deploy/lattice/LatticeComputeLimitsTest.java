package com.catalytic.deploy.lattice;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.command.lattice.LatticeCompute;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compute executor over HTTP, with a budget of 2 s: a computation past it is answered 503 and really stopped
 * (its thread is free again); a tenant at its cap of one computation at a time is answered 429 with Retry-After.
 * The slow computation is the analysis of a 125,000-vertex cube with one obstacle (a scan from every vertex).
 */
class LatticeComputeLimitsTest {

    static TestApp app;
    static Http http;
    static LatticeCompute compute;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of(
                "catalytic.lattices.compute-timeout", "2s",
                "catalytic.lattices.compute-threads", "2",
                "catalytic.lattices.max-concurrent-per-tenant", "1",
                "catalytic.lattices.max-scan-vertices", "10000000"));
        http = app.http();
        compute = app.bean(LatticeCompute.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aComputationPastItsBudgetIsAnswered503AndItsThreadIsFreed() {
        Account owner = Accounts.registerAndLogin(http, "budget");
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String slow = slowLattice(owner);
        String quick = expect(201, http.post("/api/lattices", Map.of("dimensions", 3, "size", 10),
                bearer(owner.accessToken()))).text("id");

        Response timedOut = http.post("/api/lattices/" + slow + "/analyze", null, bearer(owner.accessToken()));
        assertThat(timedOut.status()).as(timedOut.toString()).isEqualTo(503);
        assertThat(timedOut.text("code")).isEqualTo("compute_timeout");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(compute.activeThreads()).as("compute threads still working").isZero();
            assertThat(compute.runningFor(owner.tenantId())).as("the tenant's slots taken").isZero();
        });

        // the tenant's one slot and the thread serve the next computation at once
        Response next = http.post("/api/lattices/" + quick + "/path", Map.of("start", List.of(0, 0, 0), "end",
                List.of(9, 9, 9)), bearer(owner.accessToken()));
        assertThat(next.status()).as(next.toString()).isEqualTo(200);
        assertThat(next.json().path("length").asLong()).isEqualTo(27);
        // nothing was recorded for the stopped analysis
        JsonNode events = expect(200, http.get("/api/history/lattice/" + slow, bearer(owner.accessToken()))).json()
                .path("events");
        assertThat(events.findValuesAsText("type")).containsExactly("LatticeCreatedEvent");
    }

    @Test
    void aTenantAtItsCapIsToldToRetryWhileAnotherTenantComputes() throws Exception {
        Account busy = Accounts.registerAndLogin(http, "cap");
        Accounts.changePlan(app, busy.tenantId(), "starter");
        Account other = Accounts.registerAndLogin(http, "cap-other");
        String slow = slowLattice(busy);
        String quick = expect(201, http.post("/api/lattices", Map.of("dimensions", 2, "size", 5),
                bearer(busy.accessToken()))).text("id");
        String othersLattice = expect(201, http.post("/api/lattices", Map.of("dimensions", 2, "size", 5),
                bearer(other.accessToken()))).text("id");

        CompletableFuture<Response> running = CompletableFuture.supplyAsync(() ->
                http.post("/api/lattices/" + slow + "/analyze", null, bearer(busy.accessToken())));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> compute.runningFor(busy.tenantId()) == 1);

        Response refused = http.post("/api/lattices/" + quick + "/path", Map.of("start", List.of(0, 0), "end",
                List.of(4, 4)), bearer(busy.accessToken()));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused.text("code")).isEqualTo("compute_busy");
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        Response othersPath = http.post("/api/lattices/" + othersLattice + "/path", Map.of("start", List.of(0, 0),
                "end", List.of(4, 4)), bearer(other.accessToken()));
        assertThat(othersPath.status()).as(othersPath.toString()).isEqualTo(200);

        assertThat(running.get().status()).isEqualTo(503);
        await().atMost(Duration.ofSeconds(10)).until(() -> compute.runningFor(busy.tenantId()) == 0);
        expect(200, http.post("/api/lattices/" + quick + "/path", Map.of("start", List.of(0, 0), "end",
                List.of(4, 4)), bearer(busy.accessToken())));
    }

    /** 50^3 vertices and one obstacle: analysed by scanning, far beyond a 2 s budget. */
    static String slowLattice(Account owner) {
        return expect(201, http.post("/api/lattices", Map.of("dimensions", 3, "size", 50, "obstacles",
                List.of(List.of(25, 25, 25))), bearer(owner.accessToken()))).text("id");
    }

    static Response expect(int status, Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        return r;
    }
}
