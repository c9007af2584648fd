package com.catalytic.deploy.lattice;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.identity.TenantScoped;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.LatticeEvents;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.projections.lattice.LatticeProjection;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The read side of lattices over HTTP, fed by the lattice events as their aggregates store them: lists newest first
 * with cursor paging, one lattice in the shape of its creation answer, its operations, 404 for deleted lattices and
 * for other tenants' (beside the owner's 200), the {@code lattices:read} scope, and the audit entries of each event.
 */
class LatticeReadApiTest {

    static final Set<String> LATTICE_FIELDS = Set.of("id", "name", "dimensions", "size", "vertices", "edges",
            "obstacles", "memory_bytes", "created_at");
    static final Set<String> OPERATION_FIELDS = Set.of("id", "operation", "parameters", "result", "duration_ms",
            "compute_units", "performed_by", "performed_at");

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
    void oneLatticeIsShownAsItsCreationAnswerWithExactCounts() {
        Account owner = Accounts.registerAndLogin(http, "lattice-get");
        String[] auth = bearer(owner.accessToken());
        LatticeEvents events = new LatticeEvents(app, owner.tenantId(), owner.userId());
        // 1000^10 vertices: far beyond a long
        String huge = events.create("huge", 10, 1000);
        String small = events.create(null, 2, 3, List.of(List.of(1, 1)), null);

        JsonNode h = expect(200, http.get("/api/lattices/" + huge, auth)).json();
        assertThat(fields(h)).isEqualTo(new TreeSet<>(LATTICE_FIELDS));
        assertThat(h.path("id").asText()).isEqualTo(huge);
        assertThat(h.path("name").asText()).isEqualTo("huge");
        assertThat(h.path("dimensions").asInt()).isEqualTo(10);
        assertThat(h.path("size").asInt()).isEqualTo(1000);
        assertThat(h.path("vertices").isIntegralNumber()).as("vertices is a JSON number").isTrue();
        assertThat(h.path("vertices").bigIntegerValue()).isEqualTo(BigInteger.TEN.pow(30));
        assertThat(h.path("edges").bigIntegerValue()).isEqualTo(
                BigInteger.valueOf(10 * 999).multiply(BigInteger.valueOf(1000).pow(9)));
        assertThat(h.path("obstacles").asInt()).isZero();
        assertThat(h.path("memory_bytes").asLong()).isEqualTo(64 + 8 * 10 * 0);
        assertThat(Instant.parse(h.path("created_at").asText())).isBefore(Instant.now().plusSeconds(1));

        JsonNode s = expect(200, http.get("/api/lattices/" + small, auth)).json();
        assertThat(s.path("name").isNull()).isTrue();
        assertThat(s.path("vertices").asLong()).isEqualTo(8);
        assertThat(s.path("obstacles").asInt()).isEqualTo(1);

        Response unknown = http.get("/api/lattices/no-such-lattice", auth);
        assertThat(unknown.status()).as("%s", unknown).isEqualTo(404);
        assertThat(unknown.text("code")).isEqualTo("not_found");
    }

    @Test
    void theListIsNewestFirstAndItsCursorWalksEveryLatticeOnce() {
        Account owner = Accounts.registerAndLogin(http, "lattice-list");
        String[] auth = bearer(owner.accessToken());
        LatticeEvents events = new LatticeEvents(app, owner.tenantId(), owner.userId());
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        List<String> newestFirst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            newestFirst.add(0, events.create("l" + i, 2, 5, List.of(), base.plusSeconds(i)));
        }
        // two created in the same millisecond: the id breaks the tie, and paging neither skips nor repeats one
        String twinA = events.create("twin", 1, 4, List.of(), base.plusSeconds(10));
        String twinB = events.create("twin", 1, 4, List.of(), base.plusSeconds(10));
        newestFirst.add(0, twinA.compareTo(twinB) < 0 ? twinA : twinB);
        newestFirst.add(0, twinA.compareTo(twinB) < 0 ? twinB : twinA);

        JsonNode all = expect(200, http.get("/api/lattices", auth)).json();
        assertThat(ids(all.path("lattices"))).isEqualTo(newestFirst);
        assertThat(all.path("next_cursor").isNull()).isTrue();
        all.path("lattices").forEach(l -> assertThat(fields(l)).isEqualTo(new TreeSet<>(LATTICE_FIELDS)));

        List<String> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = expect(200, http.get("/api/lattices?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                    auth)).json();
            assertThat(page.path("lattices").size()).isBetween(1, 2);
            walked.addAll(ids(page.path("lattices")));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(walked).isEqualTo(newestFirst);
        assertThat(pages).isEqualTo(4);

        // a deleted lattice is gone from the list and from GET (it was there before: the positive control)
        String deleted = newestFirst.get(3);
        expect(200, http.get("/api/lattices/" + deleted, auth));
        events.delete(deleted, 1);
        Response gone = http.get("/api/lattices/" + deleted, auth);
        assertThat(gone.status()).as("%s", gone).isEqualTo(404);
        assertThat(gone.text("code")).isEqualTo("not_found");
        assertThat(http.get("/api/lattices/" + deleted + "/operations", auth).status()).isEqualTo(404);
        List<String> remaining = new ArrayList<>(newestFirst);
        remaining.remove(deleted);
        assertThat(ids(expect(200, http.get("/api/lattices", auth)).json().path("lattices"))).isEqualTo(remaining);

        for (String bad : List.of("?limit=0", "?limit=501", "?cursor=not-a-cursor", "?cursor=" + Base64
                .getUrlEncoder().encodeToString("yesterday|x".getBytes()))) {
            Response r = http.get("/api/lattices" + bad, auth);
            assertThat(r.status()).as("%s %s", bad, r).isEqualTo(422);
            assertThat(r.text("field")).isIn("limit", "cursor");
        }
    }

    @Test
    void operationsAreListedNewestFirstWithWhatWasAskedAndWhatCameOut() {
        Account owner = Accounts.registerAndLogin(http, "lattice-ops");
        String[] auth = bearer(owner.accessToken());
        LatticeEvents events = new LatticeEvents(app, owner.tenantId(), owner.userId());
        String lattice = events.create("ops", 2, 10);
        String other = events.create("other", 2, 10);
        Instant base = Instant.parse("2026-02-01T12:00:00Z");
        List<String> newestFirst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            boolean path = i % 2 == 0;
            newestFirst.add(0, events.operation(lattice, i + 1, path ? "path" : "analyze",
                    path ? Map.of("start", List.of(0, 0), "end", List.of(9, i)) : Map.of(),
                    path ? Map.of("reachable", true, "length", 9 + i, "vertices_explored", 1, "method", "direct")
                            : Map.of("vertices", new BigInteger("100"), "components", 1, "bipartite", true),
                    base.plusSeconds(i)));
        }
        events.operation(other, 1, "analyze", Map.of(), Map.of("vertices", 100), base.plusSeconds(100));

        JsonNode all = expect(200, http.get("/api/lattices/" + lattice + "/operations", auth)).json();
        assertThat(ids(all.path("operations"))).isEqualTo(newestFirst);
        assertThat(all.path("next_cursor").isNull()).isTrue();
        JsonNode newest = all.path("operations").get(0);
        assertThat(fields(newest)).isEqualTo(new TreeSet<>(OPERATION_FIELDS));
        assertThat(newest.path("operation").asText()).isEqualTo("path");
        assertThat(newest.path("parameters").path("start").toString()).isEqualTo("[0,0]");
        assertThat(newest.path("parameters").path("end").toString()).isEqualTo("[9,4]");
        assertThat(newest.path("result").path("reachable").asBoolean()).isTrue();
        assertThat(newest.path("result").path("length").asInt()).isEqualTo(13);
        assertThat(newest.path("result").path("vertices_explored").asInt()).isEqualTo(1);
        assertThat(newest.path("duration_ms").asLong()).isEqualTo(12);
        assertThat(newest.path("compute_units").asLong()).isEqualTo(3);
        assertThat(newest.path("performed_by").asText()).isEqualTo(owner.userId());
        assertThat(Instant.parse(newest.path("performed_at").asText())).isEqualTo(base.plusSeconds(4));
        JsonNode analyzed = all.path("operations").get(1);
        assertThat(analyzed.path("operation").asText()).isEqualTo("analyze");
        assertThat(analyzed.path("result").path("bipartite").asBoolean()).isTrue();

        List<String> walked = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = expect(200, http.get("/api/lattices/" + lattice + "/operations?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor), auth)).json();
            walked.addAll(ids(page.path("operations")));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asText();
        } while (cursor != null && walked.size() < 20);
        assertThat(walked).isEqualTo(newestFirst);

        assertThat(ids(expect(200, http.get("/api/lattices/" + other + "/operations", auth)).json()
                .path("operations"))).hasSize(1);
        assertThat(http.get("/api/lattices/no-such-lattice/operations", auth).status()).isEqualTo(404);
    }

    @Test
    void anotherTenantsLatticeIsNotFoundWhereItsOwnerSeesIt() {
        Account a = Accounts.registerAndLogin(http, "lattice-a");
        Account b = Accounts.registerAndLogin(http, "lattice-b");
        LatticeEvents ofA = new LatticeEvents(app, a.tenantId(), a.userId());
        String latticeA = ofA.create("of-a", 2, 4);
        ofA.operation(latticeA, 1, "analyze", Map.of(), Map.of("components", 1), Instant.now());
        String latticeB = new LatticeEvents(app, b.tenantId(), b.userId()).create("of-b", 2, 4);
        String[] asA = bearer(a.accessToken());
        String[] asB = bearer(b.accessToken());

        assertThat(expect(200, http.get("/api/lattices/" + latticeA, asA)).text("id")).isEqualTo(latticeA);
        assertThat(expect(200, http.get("/api/lattices/" + latticeA + "/operations", asA)).json().path("operations"))
                .hasSize(1);
        assertThat(ids(expect(200, http.get("/api/lattices", asA)).json().path("lattices"))).containsExactly(latticeA);

        for (String path : List.of("/api/lattices/" + latticeA, "/api/lattices/" + latticeA + "/operations")) {
            Response r = http.get(path, asB);
            assertThat(r.status()).as("B: %s -> %s", path, r).isEqualTo(404);
            assertThat(r.text("code")).isEqualTo("not_found");
            assertThat(r.raw()).doesNotContain(a.tenantId());
        }
        Response listOfB = expect(200, http.get("/api/lattices", asB));
        assertThat(ids(listOfB.json().path("lattices"))).containsExactly(latticeB);
        assertThat(listOfB.raw()).doesNotContain(latticeA);
    }

    @Test
    void readingNeedsTheLatticesReadScope() {
        Account owner = Accounts.registerAndLogin(http, "lattice-scope");
        String[] auth = bearer(owner.accessToken());
        String lattice = new LatticeEvents(app, owner.tenantId(), owner.userId()).create("scoped", 2, 3);
        String without = expect(201, http.post("/api/api-keys", Map.of("name", "no-lattices", "scopes",
                List.of("users:read")), auth)).text("key");
        String with = expect(201, http.post("/api/api-keys", Map.of("name", "lattices", "scopes",
                List.of("lattices:read")), auth)).text("key");
        for (String path : List.of("/api/lattices", "/api/lattices/" + lattice, "/api/lattices/" + lattice
                + "/operations")) {
            Response denied = http.get(path, "X-API-Key", without);
            assertThat(denied.status()).as("%s -> %s", path, denied).isEqualTo(403);
            assertThat(denied.text("code")).isEqualTo("insufficient_scope");
            expect(200, http.get(path, "X-API-Key", with));
        }
        // a viewer holds lattices:read by role
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String viewerEmail = Accounts.uniqueEmail("viewer");
        expect(201, http.post("/api/users", Map.of("email", viewerEmail, "role", "viewer", "password",
                Accounts.PASSWORD), auth));
        Account viewer = Accounts.login(http, viewerEmail, Accounts.PASSWORD);
        expect(200, http.get("/api/lattices/" + lattice, bearer(viewer.accessToken())));
    }

    @Test
    void eachLatticeEventIsAuditedUnderItsActionAndTheChainStaysValid() throws Exception {
        Account owner = Accounts.registerAndLogin(http, "lattice-audit");
        String[] auth = bearer(owner.accessToken());
        LatticeEvents events = new LatticeEvents(app, owner.tenantId(), owner.userId());
        // enough obstacles that the full list would not fit an audit entry
        List<List<Integer>> obstacles = IntStream.range(0, 2000).mapToObj(i -> List.of(i / 100, i % 100, 7)).toList();
        String lattice = events.create("audited", 3, 100, obstacles, null);
        String path = events.operation(lattice, 1, "path", Map.of("start", List.of(0, 0, 0), "end", List.of(1, 1, 1)),
                Map.of("reachable", true, "length", 3), Instant.now());
        String analyze = events.operation(lattice, 2, "analyze", Map.of(), Map.of("components", 1), Instant.now());
        events.delete(lattice, 3);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.jdbc().queryForList(
                "SELECT action FROM audit_logs WHERE tenant_id = ? AND target_type = 'lattice' AND target_id = ? "
                        + "ORDER BY seq", String.class, owner.tenantId(), lattice))
                .containsExactly("lattice.created", "lattice.path_computed", "lattice.analyzed", "lattice.deleted"));
        List<Map<String, Object>> rows = app.jdbc().queryForList("SELECT action, actor_type, actor_id, changes "
                + "FROM audit_logs WHERE tenant_id = ? AND target_id = ? ORDER BY seq", owner.tenantId(), lattice);
        rows.forEach(r -> {
            assertThat(r.get("actor_type")).isEqualTo("user");
            assertThat(r.get("actor_id")).isEqualTo(owner.userId());
        });
        JsonNode created = Http.JSON.readTree((String) rows.get(0).get("changes"));
        assertThat(created.path("obstacles").path("omitted_items").asInt()).isEqualTo(2000);
        assertThat(created.path("vertices").asText()).isEqualTo("998000");
        assertThat(Http.JSON.readTree((String) rows.get(1).get("changes")).path("operation_id").asText())
                .isEqualTo(path);
        assertThat(Http.JSON.readTree((String) rows.get(2).get("changes")).path("operation_id").asText())
                .isEqualTo(analyze);

        JsonNode verified = expect(200, http.get("/api/audit-logs/verify", auth)).json();
        assertThat(verified.path("valid").asBoolean()).as("%s", verified).isTrue();
        assertThat(verified.path("checked").asLong()).isGreaterThanOrEqualTo(4);
        JsonNode listed = expect(200, http.get("/api/audit-logs?target_id=" + lattice, auth)).json();
        assertThat(listed.path("audit_logs")).hasSize(4);
    }

    @Test
    void replayingTheEventsAgainLeavesTheRowsAsTheyAre() {
        Account owner = Accounts.registerAndLogin(http, "lattice-replay");
        LatticeEvents events = new LatticeEvents(app, owner.tenantId(), owner.userId());
        String lattice = events.create("replayed", 2, 6);
        events.operation(lattice, 1, "path", Map.of("start", List.of(0, 0), "end", List.of(5, 5)),
                Map.of("reachable", true, "length", 10), Instant.parse("2026-03-01T00:00:00Z"));
        String deleted = events.create("deleted", 2, 6);
        events.delete(deleted, 1);
        String sql = "SELECT * FROM lattices WHERE tenant_id = ? ORDER BY id";
        String opsSql = "SELECT * FROM lattice_operations WHERE tenant_id = ? ORDER BY id";
        List<Map<String, Object>> before = app.jdbc().queryForList(sql, owner.tenantId());
        List<Map<String, Object>> opsBefore = app.jdbc().queryForList(opsSql, owner.tenantId());
        assertThat(before).hasSize(2);
        assertThat(opsBefore).hasSize(1);

        // every event of both streams delivered a second time, as a redelivery or a catch-up would
        AnnotationEventHandlerAdapter projection = new AnnotationEventHandlerAdapter(
                app.bean(LatticeProjection.class));
        SpringTransactionManager tx = new SpringTransactionManager(app.bean(PlatformTransactionManager.class));
        List<TrackedEventMessage<?>> stored;
        try (var stream = app.bean(EventStorageEngine.class).readEvents(null, false)) {
            stored = stream.filter(e -> e.getPayload() instanceof TenantScoped scoped
                    && scoped.tenantId().equals(owner.tenantId())
                    && e.getPayloadType().getPackageName().endsWith(".lattice")).<TrackedEventMessage<?>>map(e -> e)
                    .toList();
        }
        assertThat(stored).hasSize(4);
        var uow = DefaultUnitOfWork.startAndGet(null);
        uow.attachTransaction(tx);
        uow.execute(() -> stored.forEach(e -> {
            try {
                projection.handle(e);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }));
        assertThat(app.jdbc().queryForList(sql, owner.tenantId())).isEqualTo(before);
        assertThat(app.jdbc().queryForList(opsSql, owner.tenantId())).isEqualTo(opsBefore);
    }

    static Response expect(int status, Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        return r;
    }

    static List<String> ids(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path("id").asText()));
        return out;
    }

    static TreeSet<String> fields(JsonNode node) {
        TreeSet<String> out = new TreeSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
