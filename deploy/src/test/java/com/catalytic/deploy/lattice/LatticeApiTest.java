package com.catalytic.deploy.lattice;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lattices over HTTP: create, compute a path, analyze, delete; the plans' limits; bad input named by field; scopes
 * and roles; another tenant's lattice is 404; every computation is metered once with its compute units.
 */
class LatticeApiTest {

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
    void aCubeIsCreatedWalkedAnalyzedAndDeleted() {
        Account owner = Accounts.registerAndLogin(http, "cube");
        Response created = expect(201, create(owner, Map.of("name", "cube", "dimensions", 3, "size", 10)));
        JsonNode c = created.json();
        String id = c.path("id").asText();
        assertThat(id).isNotBlank();
        assertThat(c.path("name").asText()).isEqualTo("cube");
        assertThat(c.path("dimensions").asInt()).isEqualTo(3);
        assertThat(c.path("size").asInt()).isEqualTo(10);
        assertThat(c.path("vertices").isIntegralNumber()).isTrue();
        assertThat(c.path("vertices").bigIntegerValue()).isEqualTo(BigInteger.valueOf(1000));
        assertThat(c.path("edges").bigIntegerValue()).isEqualTo(BigInteger.valueOf(2700));
        assertThat(c.path("obstacles").asInt()).isZero();
        assertThat(c.path("memory_bytes").asLong()).isPositive();
        assertThat(c.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

        // the reference case: corner to corner of the 10-point cube
        Response path = expect(200, path(owner, id, List.of(0, 0, 0), List.of(9, 9, 9)));
        JsonNode p = path.json();
        assertThat(p.path("reachable").asBoolean()).isTrue();
        assertThat(p.path("length").asLong()).isEqualTo(27);
        assertThat(p.path("path").size()).isEqualTo(28);
        assertThat(p.path("path").path(0).toString()).isEqualTo("[0,0,0]");
        assertThat(p.path("path").path(27).toString()).isEqualTo("[9,9,9]");
        for (int i = 1; i < 28; i++) {
            assertThat(manhattan(p.path("path").path(i - 1), p.path("path").path(i))).as("step %d", i).isEqualTo(1);
        }
        assertThat(p.path("path_truncated").asBoolean()).isFalse();
        assertThat(p.has("vertices_explored")).isTrue();
        assertThat(p.path("execution_time_ms").isIntegralNumber()).isTrue();

        JsonNode a = expect(200, analyze(owner, id)).json();
        assertThat(a.path("vertices").bigIntegerValue()).isEqualTo(BigInteger.valueOf(1000));
        assertThat(a.path("edges").bigIntegerValue()).isEqualTo(BigInteger.valueOf(2700));
        assertThat(a.path("degree_histogram").toString()).isEqualTo("{\"3\":8,\"4\":96,\"5\":384,\"6\":512}");
        assertThat(a.path("diameter").asLong()).isEqualTo(27);
        assertThat(a.path("components").asLong()).isEqualTo(1);
        assertThat(a.path("bipartite").asBoolean()).isTrue();
        assertThat(a.path("execution_time_ms").isIntegralNumber()).isTrue();

        // the lattice's own history: created, two operations (summaries, never the path)
        JsonNode events = expect(200, http.get("/api/history/lattice/" + id, bearer(owner.accessToken()))).json()
                .path("events");
        assertThat(events.findValuesAsText("type")).containsExactly("LatticeCreatedEvent",
                "LatticeOperationPerformedEvent", "LatticeOperationPerformedEvent");
        JsonNode pathOperation = events.path(1).path("payload");
        assertThat(pathOperation.path("operation").asText()).isEqualTo("path");
        assertThat(pathOperation.path("parameters").path("start").toString()).isEqualTo("[0,0,0]");
        assertThat(pathOperation.path("result").path("length").asLong()).isEqualTo(27);
        assertThat(pathOperation.path("result").has("path")).isFalse();
        assertThat(events.path(2).path("payload").path("operation").asText()).isEqualTo("analyze");

        expect(204, delete(owner, id));
        notFound(delete(owner, id));
        notFound(path(owner, id, List.of(0, 0, 0), List.of(9, 9, 9)));
        notFound(analyze(owner, id));
        assertThat(expect(200, http.get("/api/history/lattice/" + id, bearer(owner.accessToken()))).json()
                .path("events").findValuesAsText("type")).endsWith("LatticeDeletedEvent");
    }

    @Test
    void aWallMakesTheOtherSideUnreachableAndSplitsTheComponents() {
        Account owner = Accounts.registerAndLogin(http, "wall");
        List<List<Integer>> wall = List.of(List.of(1, 0), List.of(1, 1), List.of(1, 2), List.of(1, 1));
        JsonNode c = expect(201, create(owner, Map.of("dimensions", 2, "size", 3, "obstacles", wall))).json();
        assertThat(c.path("obstacles").asInt()).as("duplicates count once").isEqualTo(3);
        assertThat(c.path("vertices").asLong()).isEqualTo(6);
        assertThat(c.path("edges").asLong()).isEqualTo(4);
        assertThat(c.path("name").isNull()).isTrue();
        String id = c.path("id").asText();

        JsonNode across = expect(200, path(owner, id, List.of(0, 0), List.of(2, 2))).json();
        assertThat(across.path("reachable").asBoolean()).isFalse();
        assertThat(across.path("length").isNull()).isTrue();
        assertThat(across.path("path").isArray()).isTrue();
        assertThat(across.path("path")).isEmpty();
        JsonNode along = expect(200, path(owner, id, List.of(0, 0), List.of(0, 2))).json();
        assertThat(along.path("reachable").asBoolean()).isTrue();
        assertThat(along.path("length").asLong()).isEqualTo(2);

        JsonNode a = expect(200, analyze(owner, id)).json();
        assertThat(a.path("components").asLong()).isEqualTo(2);
        assertThat(a.path("diameter").asLong()).isEqualTo(2);
        assertThat(a.path("vertices").asLong()).isEqualTo(6);
    }

    @Test
    void theFreePlansLimitsAreNamedAndADeletedLatticeFreesItsSlot() {
        Account owner = Accounts.registerAndLogin(http, "free-limits");
        planLimit(create(owner, Map.of("dimensions", 4, "size", 2)), "max_dimensions", 3);
        planLimit(create(owner, Map.of("dimensions", 3, "size", 11)), "max_size", 10);
        planLimit(create(owner, Map.of("dimensions", 3, "size", 10, "obstacles", obstacles(101))), "max_obstacles",
                100);
        expect(201, create(owner, Map.of("dimensions", 3, "size", 10, "obstacles", obstacles(100))));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(expect(201, create(owner, Map.of("dimensions", 2, "size", 2))).text("id"));
        }
        planLimit(create(owner, Map.of("dimensions", 1, "size", 1)), "lattices", 5);
        expect(204, delete(owner, ids.get(0)));
        expect(201, create(owner, Map.of("dimensions", 1, "size", 1)));
        planLimit(create(owner, Map.of("dimensions", 1, "size", 1)), "lattices", 5);
    }

    @Test
    void biggerPlansAllowBiggerLatticesCountedExactly() {
        Account starter = Accounts.registerAndLogin(http, "starter-limits");
        Accounts.changePlan(app, starter.tenantId(), "starter");
        JsonNode five = expect(201, create(starter, Map.of("dimensions", 5, "size", 50))).json();
        assertThat(five.path("vertices").bigIntegerValue()).isEqualTo(BigInteger.valueOf(50).pow(5));
        planLimit(create(starter, Map.of("dimensions", 6, "size", 2)), "max_dimensions", 5);
        planLimit(create(starter, Map.of("dimensions", 2, "size", 51)), "max_size", 50);
        planLimit(create(starter, Map.of("dimensions", 2, "size", 50, "obstacles", obstacles2d(1001))),
                "max_obstacles", 1000);

        Account enterprise = Accounts.registerAndLogin(http, "enterprise-limits");
        Accounts.changePlan(app, enterprise.tenantId(), "enterprise");
        JsonNode huge = expect(201, create(enterprise, Map.of("dimensions", 10, "size", 1000))).json();
        assertThat(huge.path("vertices").bigIntegerValue()).isEqualTo(BigInteger.TEN.pow(30));
        assertThat(huge.path("edges").bigIntegerValue()).isEqualTo(
                BigInteger.TEN.multiply(BigInteger.valueOf(1000).pow(9)).multiply(BigInteger.valueOf(999)));
        String id = huge.path("id").asText();
        JsonNode a = expect(200, analyze(enterprise, id)).json();
        assertThat(a.path("vertices").bigIntegerValue()).isEqualTo(BigInteger.TEN.pow(30));
        assertThat(a.path("diameter").asLong()).isEqualTo(9990);
        assertThat(a.path("degree_histogram").path("20").bigIntegerValue())
                .isEqualTo(BigInteger.valueOf(998).pow(10));
        planLimit(create(enterprise, Map.of("dimensions", 11, "size", 2)), "max_dimensions", 10);
    }

    @Test
    void badInputIsAnsweredNamingTheField() {
        Account owner = Accounts.registerAndLogin(http, "bad-input");
        invalid(create(owner, Map.of("dimensions", 0, "size", 3)), "dimensions");
        invalid(create(owner, Map.of("dimensions", 2, "size", 0)), "size");
        invalid(create(owner, Map.of("dimensions", 2)), "size");
        invalid(create(owner, Map.of("size", 2)), "dimensions");
        invalid(create(owner, Map.of("dimensions", "two", "size", 2)), "dimensions");
        invalid(create(owner, Map.of("dimensions", 2, "size", 3, "obstacles", List.of(List.of(0, 3)))), "obstacles");
        invalid(create(owner, Map.of("dimensions", 2, "size", 3, "obstacles", List.of(List.of(0)))), "obstacles");
        invalid(create(owner, Map.of("name", "x".repeat(101), "dimensions", 2, "size", 3)), "name");
        Response unknownField = create(owner, Map.of("dimensions", 2, "size", 3, "colour", "red"));
        assertThat(unknownField.status()).as(unknownField.toString()).isEqualTo(400);

        String id = expect(201, create(owner, Map.of("dimensions", 2, "size", 3, "obstacles",
                List.of(List.of(1, 1))))).text("id");
        invalid(path(owner, id, List.of(0, 0, 0), List.of(2, 2)), "start");
        invalid(path(owner, id, List.of(0, 0), List.of(2, 3)), "end");
        invalid(path(owner, id, List.of(1, 1), List.of(2, 2)), "start");
        invalid(path(owner, id, List.of(-1, 0), List.of(2, 2)), "start");
        Map<String, Object> noEnd = new HashMap<>();
        noEnd.put("start", List.of(0, 0));
        invalid(http.post("/api/lattices/" + id + "/path", noEnd, bearer(owner.accessToken())), "end");
        expect(200, path(owner, id, List.of(0, 0), List.of(2, 2)));
        notFound(path(owner, "no-such-lattice", List.of(0, 0), List.of(2, 2)));
        // an id of another kind of aggregate is no lattice either
        notFound(analyze(owner, owner.userId()));
        notFound(delete(owner, owner.tenantId()));
    }

    @Test
    void scopesAndRolesDecideWhoMayCreateAndCompute() {
        Account owner = Accounts.registerAndLogin(http, "scopes");
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String[] auth = bearer(owner.accessToken());
        String reader = expect(201, http.post("/api/api-keys", Map.of("name", "reader", "scopes",
                List.of("lattices:read")), auth)).text("key");
        String writer = expect(201, http.post("/api/api-keys", Map.of("name", "writer", "scopes",
                List.of("lattices:write", "lattices:read")), auth)).text("key");

        Response byReader = http.post("/api/lattices", Map.of("dimensions", 2, "size", 3), "X-API-Key", reader);
        forbidden(byReader);
        Response byWriter = http.post("/api/lattices", Map.of("dimensions", 2, "size", 3), "X-API-Key", writer);
        String id = expect(201, byWriter).text("id");
        expect(200, http.post("/api/lattices/" + id + "/path", Map.of("start", List.of(0, 0), "end", List.of(1, 1)),
                "X-API-Key", reader));
        forbidden(http.method("DELETE", "/api/lattices/" + id, null, "X-API-Key", reader));

        String viewerEmail = Accounts.uniqueEmail("viewer");
        expect(201, http.post("/api/users", Map.of("email", viewerEmail, "role", "viewer", "password",
                Accounts.PASSWORD), auth));
        Account viewer = Accounts.login(http, viewerEmail, Accounts.PASSWORD);
        forbidden(create(viewer, Map.of("dimensions", 2, "size", 3)));
        forbidden(delete(viewer, id));
        expect(200, analyze(viewer, id));
        expect(204, http.method("DELETE", "/api/lattices/" + id, null, "X-API-Key", writer));
    }

    @Test
    void anotherTenantsLatticeIsNotFoundWhileItsOwnerUsesIt() {
        Account a = Accounts.registerAndLogin(http, "iso-a");
        Account b = Accounts.registerAndLogin(http, "iso-b");
        String id = expect(201, create(a, Map.of("dimensions", 2, "size", 4))).text("id");

        notFound(path(b, id, List.of(0, 0), List.of(3, 3)));
        notFound(analyze(b, id));
        notFound(delete(b, id));
        expect(200, path(a, id, List.of(0, 0), List.of(3, 3)));
        expect(200, analyze(a, id));
        notFound(http.get("/api/history/lattice/" + id, bearer(b.accessToken())));
        expect(200, http.get("/api/history/lattice/" + id, bearer(a.accessToken())));
        // B's failed delete left A's lattice, and B's slots, as they were
        for (int i = 0; i < 5; i++) {
            expect(201, create(b, Map.of("dimensions", 1, "size", 2)));
        }
        planLimit(create(b, Map.of("dimensions", 1, "size", 2)), "lattices", 5);
        expect(204, delete(a, id));
        notFound(path(a, id, List.of(0, 0), List.of(3, 3)));
    }

    @Test
    void everyComputationIsMeteredOnceWithItsComputeUnits() {
        Account owner = Accounts.registerAndLogin(http, "units");
        Accounts.changePlan(app, owner.tenantId(), "professional");
        String open = expect(201, create(owner, Map.of("dimensions", 3, "size", 10))).text("id");
        // a 30-point cube split by a wall with one gap in a far corner: the path must be searched for
        List<List<Integer>> wall = new ArrayList<>();
        for (int y = 0; y < 30; y++) {
            for (int z = 0; z < 30; z++) {
                if (y != 29 || z != 29) {
                    wall.add(List.of(15, y, z));
                }
            }
        }
        String walled = expect(201, create(owner, Map.of("dimensions", 3, "size", 30, "obstacles", wall)))
                .text("id");
        // a 2-D square with one obstacle: analysed by a scan of its 3,600 points
        String scannedLattice = expect(201, create(owner, Map.of("dimensions", 2, "size", 60, "obstacles",
                List.of(List.of(30, 30))))).text("id");

        Map<String, Long> expectedUnits = new LinkedHashMap<>();
        Response direct = expect(200, path(owner, open, List.of(0, 0, 0), List.of(9, 9, 9)));
        expectedUnits.put(direct.header("X-Request-ID"), 1L);
        Response closedForm = expect(200, analyze(owner, open));
        expectedUnits.put(closedForm.header("X-Request-ID"), 1L);
        Response searched = expect(200, path(owner, walled, List.of(0, 0, 0), List.of(29, 0, 0)));
        long explored = searched.json().path("vertices_explored").asLong();
        assertThat(explored).isPositive();
        assertThat(searched.json().path("length").asLong()).isEqualTo((15 + 29 + 29) + (14 + 29 + 29));
        expectedUnits.put(searched.header("X-Request-ID"), 1 + explored / 10_000);
        Response scanned = expect(200, analyze(owner, scannedLattice));
        // what a scan visits (every breadth-first sweep of it) is recorded with the operation
        JsonNode scan = expect(200, http.get("/api/history/lattice/" + scannedLattice, bearer(owner.accessToken())))
                .json().path("events").path(1).path("payload");
        long visited = scan.path("result").path("vertices_scanned").asLong();
        assertThat(visited).isGreaterThanOrEqualTo(3599);
        assertThat(scan.path("compute_units").asLong()).isEqualTo(1 + visited / 10_000);
        expectedUnits.put(scanned.header("X-Request-ID"), 1 + visited / 10_000);
        Response refused = path(owner, walled, List.of(15, 0, 0), List.of(0, 0, 0));
        assertThat(refused.status()).isEqualTo(422);
        expectedUnits.put(refused.header("X-Request-ID"), 0L);
        long total = expectedUnits.values().stream().mapToLong(Long::longValue).sum();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonNode logs = expect(200, http.get("/api/usage/logs?limit=200", bearer(owner.accessToken()))).json()
                    .path("logs");
            expectedUnits.forEach((requestId, units) -> {
                List<JsonNode> rows = new ArrayList<>();
                logs.forEach(l -> {
                    if (requestId.equals(l.path("request_id").asText())) {
                        rows.add(l);
                    }
                });
                assertThat(rows).as("usage rows of request %s", requestId).hasSize(1);
                assertThat(rows.get(0).path("units").asLong()).as("units of %s", requestId).isEqualTo(units);
            });
            JsonNode usage = expect(200, http.get("/api/usage", bearer(owner.accessToken()))).json();
            assertThat(usage.path("totals").path("units").asLong()).isEqualTo(total);
        });
        JsonNode operations = expect(200, http.get("/api/history/lattice/" + walled, bearer(owner.accessToken())))
                .json().path("events");
        assertThat(operations.findValuesAsText("compute_units")).containsExactly(
                Long.toString(1 + explored / 10_000));
    }

    // --- helpers

    static Response create(Account who, Map<String, ?> body) {
        return http.post("/api/lattices", body, bearer(who.accessToken()));
    }

    static Response path(Account who, String id, List<Integer> start, List<Integer> end) {
        return http.post("/api/lattices/" + id + "/path", Map.of("start", start, "end", end),
                bearer(who.accessToken()));
    }

    static Response analyze(Account who, String id) {
        return http.post("/api/lattices/" + id + "/analyze", null, bearer(who.accessToken()));
    }

    static Response delete(Account who, String id) {
        return http.method("DELETE", "/api/lattices/" + id, null, bearer(who.accessToken()));
    }

    /** Distinct 3-D points of a 10-point cube. */
    static List<List<Integer>> obstacles(int count) {
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(List.of(i % 10, (i / 10) % 10, i / 100));
        }
        return out;
    }

    /** Distinct 2-D points of a 50-point square. */
    static List<List<Integer>> obstacles2d(int count) {
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(List.of(i % 50, i / 50));
        }
        return out;
    }

    static long manhattan(JsonNode a, JsonNode b) {
        long d = 0;
        for (int i = 0; i < a.size(); i++) {
            d += Math.abs(a.path(i).asLong() - b.path(i).asLong());
        }
        return d;
    }

    static Response expect(int status, Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        return r;
    }

    static void notFound(Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(404);
        assertThat(r.text("code")).isEqualTo("not_found");
    }

    static void forbidden(Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(403);
        assertThat(r.text("code")).isEqualTo("insufficient_scope");
    }

    static void invalid(Response r, String field) {
        assertThat(r.status()).as("%s", r).isEqualTo(422);
        assertThat(r.text("field")).as("%s", r).isEqualTo(field);
    }

    static void planLimit(Response r, String limit, int value) {
        assertThat(r.status()).as("%s", r).isEqualTo(402);
        assertThat(r.text("code")).isEqualTo("plan_limit");
        assertThat(r.text("detail")).contains(limit + " = " + value);
        assertThat(r.text("limit_name")).isEqualTo(limit);
        assertThat(r.json().path("limit").asInt()).isEqualTo(value);
    }
}
