package com.catalytic.deploy.isolation;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Projections;
import com.catalytic.deploy.support.StripePayloads;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.http.server.PathContainer;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Tenant B — as its owner and through its API key — calls every tenant-scoped endpoint with tenant A's ids and
 * resources. Every answer is 404 (or B's own data, or a role rule's 403), nothing of A leaks into B's answers, and A's
 * read tables, audit chain and event streams are what they were. Then A, with its owner and its own key, gets success
 * on the very same URLs. Every route of the application under /api/ must have been called by both, or the coverage
 * test fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantIsolationTest {

    static final List<String> ALL_SCOPES = List.of("users:read", "users:manage", "keys:manage", "lattices:read",
            "usage:read", "audit:read", "webhooks:manage", "lattices:write", "tenant:manage");

    static FakeStripe stripe;
    static TestApp app;
    static Http http;
    static Account ownerA;
    static String memberA;
    /** The key B's probes aim at (revoke, rotate, history). */
    static String keyIdA;
    /** A's own key, for A's positive controls. */
    static String keyA;
    static String keyAId;
    static String customerA;
    static String checkpointA;
    static Account ownerB;
    static String keyB;
    /** A's webhook, which B's probes aim at, and a delivery of it. */
    static String webhookA;
    static String deliveryA;
    /** A's lattice, with one operation; B's own lattice. */
    static String latticeA;
    static String latticeB;

    static final Map<String, Object> PATH = Map.of("start", List.of(0, 0, 0), "end", List.of(1, 1, 1));

    /** Requests made, as "METHOD /path" (no query): B's probes, and A's positive controls. */
    static final Set<String> probedByB = new LinkedHashSet<>();
    static final Set<String> controlledByA = new LinkedHashSet<>();

    @BeforeAll
    static void start() throws Exception {
        stripe = new FakeStripe();
        app = TestApp.start(TestApp.newSchema(), stripe.appSettings());
        http = app.http();
        ownerA = Accounts.registerAndLogin(http, "tenant-a");
        Accounts.changePlan(app, ownerA.tenantId(), "starter");
        String[] a = bearer(ownerA.accessToken());
        memberA = expect(201, http.post("/api/users", Map.of("email", Accounts.uniqueEmail("a-member"), "role",
                "member", "password", Accounts.PASSWORD), a)).text("id");
        keyIdA = expect(201, http.post("/api/api-keys", Map.of("name", "a-key", "scopes", List.of("users:read")), a))
                .text("id");
        latticeA = expect(201, http.post("/api/lattices", Map.of("name", "a-grid", "dimensions", 3, "size", 10), a))
                .text("id");
        Response own = expect(201, http.post("/api/api-keys", Map.of("name", "a-own", "scopes", ALL_SCOPES), a));
        keyA = own.text("key");
        keyAId = own.text("id");
        // A has a billing account: a checkout completed, as Stripe reports it
        customerA = "cus_a_" + UUID.randomUUID().toString().substring(0, 8);
        String completed = StripePayloads.event("evt_" + UUID.randomUUID(), "checkout.session.completed",
                System.currentTimeMillis() / 1000, StripePayloads.checkoutCompleted("cs_a", ownerA.tenantId(),
                        customerA, "sub_a"));
        expect(200, http.postRaw("/webhooks/stripe", completed, "application/json", "Stripe-Signature",
                StripePayloads.sign(completed)));
        await().atMost(Duration.ofSeconds(30)).until(() -> app.jdbc().queryForList(
                "SELECT stripe_customer_id FROM subscriptions WHERE tenant_id = ?", String.class, ownerA.tenantId())
                .contains(customerA));
        webhookA = expect(201, http.post("/api/webhooks", Map.of("url", "https://93.184.215.14/a-hooks",
                "event_types", List.of("user.added")), a)).text("id");
        deliveryA = expect(202, http.post("/api/webhooks/" + webhookA + "/test", Map.of(), a)).text("delivery_id");
        await().atMost(Duration.ofSeconds(30)).until(() -> app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM webhook_deliveries WHERE id = ?", Integer.class, deliveryA) == 1);
        // the checkout is not paid yet, so billing put A back on free; room for A's own positive controls
        Accounts.changePlan(app, ownerA.tenantId(), "professional");

        ownerB = Accounts.registerAndLogin(http, "tenant-b");
        Accounts.changePlan(app, ownerB.tenantId(), "starter");
        keyB = expect(201, http.post("/api/api-keys", Map.of("name", "b-key", "scopes", ALL_SCOPES),
                bearer(ownerB.accessToken()))).text("key");
        assertThat(keyB).startsWith("clc_live_");
        // A's lattice has one operation; B has a lattice of its own
        expect(200, http.post("/api/lattices/" + latticeA + "/path", latticePath(), a));
        latticeB = expect(201, http.post("/api/lattices", Map.of("name", "b-grid", "dimensions", 2, "size", 5),
                bearer(ownerB.accessToken()))).text("id");
        Projections.awaitCaughtUp(app);
        checkpointA = expect(200, http.get("/api/audit-logs/checkpoint", a)).text("signature");
        assertThat(checkpointA).isNotBlank();
    }

    @AfterAll
    static void stop() {
        app.close();
        stripe.close();
    }

    /** GET paths answered with the caller's own data, and what A's answer must contain (null: nothing to look for). */
    static Map<String, String> ownDataPaths() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("/api/me", ownerA.tenantId());
        m.put("/api/tenant", ownerA.tenantId());
        m.put("/api/users", memberA);
        m.put("/api/api-keys", keyIdA);
        m.put("/api/subscription", customerA);
        m.put("/api/usage", null);
        m.put("/api/usage/logs?limit=500", null);
        m.put("/api/usage/export", null);
        m.put("/api/usage/export?format=csv", null);
        m.put("/api/audit-logs?limit=500", memberA);
        m.put("/api/audit-logs?target_id=" + memberA, memberA);
        m.put("/api/audit-logs?actor_id=" + ownerA.userId(), ownerA.userId());
        m.put("/api/audit-logs/export", memberA);
        m.put("/api/audit-logs/export?format=csv", memberA);
        m.put("/api/audit-logs/verify", null);
        m.put("/api/audit-logs/checkpoint", ownerA.tenantId());
        m.put("/api/audit-logs/checkpoints", ownerA.tenantId());
        m.put("/api/plans", null);
        m.put("/api/webhooks", webhookA);
        m.put("/api/webhooks/event-types", "lattice.created");
        m.put("/api/lattices", latticeA);
        return m;
    }

    /** History paths of A's aggregates. */
    static List<String> historyOfA() {
        List<String> out = new ArrayList<>();
        for (String aggregate : List.of("tenant/" + ownerA.tenantId(), "user/" + memberA, "user/" + ownerA.userId(),
                "api_key/" + keyIdA, "subscription/sub-" + ownerA.tenantId(), "webhook/" + webhookA,
                "lattice/" + latticeA)) {
            out.add("/api/history/" + aggregate);
            out.add("/api/history/" + aggregate + "/state");
            out.add("/api/history/" + aggregate + "/state?at=2100-01-01T00:00:00Z");
        }
        return out;
    }

    @Test
    @Order(1)
    void tenantBCannotSeeOrTouchTenantAndTenantAGetsTheSameUrls() {
        Projections.awaitCaughtUp(app);
        Map<String, List<Map<String, Object>>> before = snapshotOfA();
        String[] secretsOfA = {ownerA.tenantId(), ownerA.userId(), memberA, keyIdA, keyAId, ownerA.email(), customerA,
                webhookA, "a-hooks", latticeA};

        for (String[] b : List.of(bearer(ownerB.accessToken()), new String[] {"X-API-Key", keyB})) {
            boolean key = b[0].equals("X-API-Key");
            String who = key ? "B's API key" : "B's owner";
            // A's resources by id: not found
            notFound(asB(b, "GET", "/api/users/" + memberA, null), who);
            notFound(asB(b, "GET", "/api/users/" + ownerA.userId(), null), who);
            notFound(asB(b, "PATCH", "/api/users/" + memberA, Map.of("role", "viewer")), who);
            notFound(asB(b, "PATCH", "/api/users/" + memberA, Map.of("active", false)), who);
            notFound(asB(b, "DELETE", "/api/users/" + memberA, null), who);
            notFound(asB(b, "GET", "/api/users/" + memberA + "/personal-data", null), who);
            notFound(asB(b, "DELETE", "/api/users/" + memberA + "/personal-data", null), who);
            notFound(asB(b, "DELETE", "/api/api-keys/" + keyIdA, null), who);
            notFound(asB(b, "POST", "/api/api-keys/" + keyIdA + "/rotate", Map.of("grace_seconds", 0)), who);
            notFound(asB(b, "GET", "/api/webhooks/" + webhookA, null), who);
            notFound(asB(b, "PATCH", "/api/webhooks/" + webhookA, Map.of("enabled", false)), who);
            notFound(asB(b, "PATCH", "/api/webhooks/" + webhookA, Map.of("url", "https://93.184.215.14/b")), who);
            notFound(asB(b, "POST", "/api/webhooks/" + webhookA + "/rotate-secret", null), who);
            notFound(asB(b, "DELETE", "/api/webhooks/" + webhookA, null), who);
            notFound(asB(b, "GET", "/api/webhooks/" + webhookA + "/deliveries", null), who);
            notFound(asB(b, "GET", "/api/webhooks/" + webhookA + "/deliveries?status=pending", null), who);
            notFound(asB(b, "POST", "/api/webhooks/" + webhookA + "/deliveries/" + deliveryA + "/retry", null), who);
            notFound(asB(b, "POST", "/api/webhooks/" + webhookA + "/test", null), who);
            notFound(asB(b, "POST", "/api/webhooks/" + webhookA + "/recover",
                    Map.of("since", Instant.now().minusSeconds(60).toString())), who);
            for (String path : historyOfA()) {
                notFound(asB(b, "GET", path, null), who);
            }
            notFound(asB(b, "GET", "/api/lattices/" + latticeA, null), who);
            notFound(asB(b, "GET", "/api/lattices/" + latticeA + "/operations", null), who);
            notFound(asB(b, "POST", "/api/lattices/" + latticeA + "/path", PATH), who);
            notFound(asB(b, "POST", "/api/lattices/" + latticeA + "/analyze", null), who);
            notFound(asB(b, "DELETE", "/api/lattices/" + latticeA, null), who);
            expect(200, asB(b, "GET", "/api/lattices/" + latticeB, null));
            expect(201, asB(b, "POST", "/api/lattices", Map.of("name", "b-own", "dimensions", 2, "size", 3)));

            // collection and self endpoints answer with B's own data only
            ownDataPaths().keySet().forEach(path -> {
                Response r = expect(200, asB(b, "GET", path, null));
                assertThat(r.raw()).as("%s %s", who, path).doesNotContain(secretsOfA);
            });
            expect(200, asB(b, "GET", "/api/users/" + ownerB.userId(), null));
            assertThat(asB(b, "GET", "/api/audit-logs?target_id=" + memberA, null).json().path("audit_logs"))
                    .as(who + " audit rows about A's member").isEmpty();
            assertThat(asB(b, "GET", "/api/audit-logs?actor_id=" + ownerA.userId(), null).json().path("audit_logs"))
                    .as(who + " audit rows by A's owner").isEmpty();

            // A's signed checkpoint says nothing about B's chain, and B's answer says nothing of A
            Response foreign = expect(200, asB(b, "POST", "/api/audit-logs/verify", Map.of("checkpoint", checkpointA)));
            assertThat(foreign.json().path("valid").asBoolean()).as(who + " " + foreign).isFalse();
            assertThat(foreign.text("reason")).isEqualTo("checkpoint_mismatch");
            assertThat(foreign.raw()).doesNotContain(secretsOfA);
            String checkpointB = expect(200, asB(b, "GET", "/api/audit-logs/checkpoint", null)).text("signature");
            Response ownCheckpoint = expect(200, asB(b, "POST", "/api/audit-logs/verify",
                    Map.of("checkpoint", checkpointB)));
            assertThat(ownCheckpoint.json().path("valid").asBoolean()).as(who + " " + ownCheckpoint).isTrue();

            // billing acts on B's own account only; API keys may not manage billing
            if (key) {
                forbidden(asB(b, "POST", "/api/subscription/checkout", Map.of("plan", "professional", "interval",
                        "month")), who);
                forbidden(asB(b, "POST", "/api/subscription/portal", Map.of()), who);
            } else {
                expect(200, asB(b, "POST", "/api/subscription/checkout", Map.of("plan", "professional", "interval",
                        "month")));
                FakeStripe.Request session = checkoutSessionOf(ownerB.tenantId());
                assertThat(session.params()).containsEntry("metadata[tenant_id]", ownerB.tenantId())
                        .doesNotContainValue(customerA).doesNotContainValue(ownerA.tenantId());
                Response portal = asB(b, "POST", "/api/subscription/portal", Map.of());
                assertThat(portal.status()).as(who + " portal " + portal).isEqualTo(409);
                assertThat(portal.text("code")).isEqualTo("no_billing_account");
            }

            // B's writes stay in B
            expect(200, asB(b, "PATCH", "/api/tenant", Map.of("name", "B renamed")));
            if (!key) {
                expect(201, asB(b, "POST", "/api/users", Map.of("email", Accounts.uniqueEmail("b-user"),
                        "role", "viewer", "password", Accounts.PASSWORD)));
            }
            expect(201, asB(b, "POST", "/api/api-keys", Map.of("name", "b2", "scopes", List.of("users:read"))));
            expect(201, asB(b, "POST", "/api/webhooks", Map.of("url", "https://93.184.215.14/b-hooks")));
            Response latticeOfB = expect(201, asB(b, "POST", "/api/lattices", Map.of("dimensions", 2, "size", 3)));
            assertThat(latticeOfB.raw()).doesNotContain(secretsOfA);
        }
        // A's address added by B is answered as a fresh one (B learns nothing of A); then it is B's own member
        String[] ownerOfB = bearer(ownerB.accessToken());
        Response takenEmail = asB(ownerOfB, "POST", "/api/users", Map.of("email", ownerA.email(), "role", "viewer",
                "password", Accounts.PASSWORD));
        assertThat(takenEmail.status()).as("B adding A's e-mail " + takenEmail).isEqualTo(201);
        assertThat(takenEmail.text("email")).isEqualTo(ownerA.email());
        Response again = asB(ownerOfB, "POST", "/api/users", Map.of("email", ownerA.email(), "role", "viewer"));
        assertThat(again.status()).as("B adding A's e-mail again " + again).isEqualTo(409);
        assertThat(again.text("code")).isEqualTo("email_taken");
        Projections.awaitCaughtUp(app);
        assertThat(snapshotOfA()).as("tenant A is unchanged").isEqualTo(before);
        assertThat(stripe.requests("POST", "/v1/billing_portal/sessions")).as("no portal was opened for B").isEmpty();

        // positive controls: A, with its owner and its own key, succeeds on the same URLs
        for (String[] a : List.of(bearer(ownerA.accessToken()), new String[] {"X-API-Key", keyA})) {
            String who = a[0].equals("X-API-Key") ? "A's API key" : "A's owner";
            assertThat(expect(200, asA(a, "GET", "/api/users/" + memberA, null)).text("id")).isEqualTo(memberA);
            assertThat(expect(200, asA(a, "GET", "/api/users/" + ownerA.userId(), null)).text("id"))
                    .isEqualTo(ownerA.userId());
            assertThat(expect(200, asA(a, "GET", "/api/users/" + memberA + "/personal-data", null)).text("user_id"))
                    .isEqualTo(memberA);
            for (String path : historyOfA()) {
                expect(200, asA(a, "GET", path, null));
            }
            assertThat(expect(200, asA(a, "GET", "/api/lattices/" + latticeA, null)).text("id")).isEqualTo(latticeA);
            assertThat(expect(200, asA(a, "GET", "/api/lattices/" + latticeA + "/operations", null)).json()
                    .path("operations")).isNotEmpty();
            notFound(asA(a, "GET", "/api/lattices/" + latticeB, null), who + " (B's lattice, the mirror probe)");
            expect(200, asA(a, "POST", "/api/lattices/" + latticeA + "/path", PATH));
            expect(200, asA(a, "POST", "/api/lattices/" + latticeA + "/analyze", null));
            String created = expect(201, asA(a, "POST", "/api/lattices", Map.of("name", "a-own", "dimensions", 2,
                    "size", 3))).text("id");
            expect(204, asA(a, "DELETE", "/api/lattices/" + created, null));
            ownDataPaths().forEach((path, mustContain) -> {
                Response r = expect(200, asA(a, "GET", path, null));
                if (mustContain != null) {
                    assertThat(r.raw()).as("%s %s", who, path).contains(mustContain);
                }
            });
            assertThat(asA(a, "GET", "/api/audit-logs/verify", null).json().path("valid").asBoolean()).isTrue();
            notFound(asA(a, "GET", "/api/users/" + ownerB.userId(), null), who + " (B's owner, the mirror probe)");
            Response verified = expect(200, asA(a, "POST", "/api/audit-logs/verify",
                    Map.of("checkpoint", checkpointA)));
            assertThat(verified.json().path("valid").asBoolean()).as(who + " " + verified).isTrue();
            assertThat(verified.json().path("checkpoint_count").asLong()).isPositive();
            expect(200, asA(a, "PATCH", "/api/tenant", Map.of("name", "A renamed by " + who)));
            expect(201, asA(a, "POST", "/api/users", Map.of("email", Accounts.uniqueEmail("a-user"), "role", "viewer",
                    "password", Accounts.PASSWORD)));
            expect(201, asA(a, "POST", "/api/api-keys", Map.of("name", "a2", "scopes", List.of("users:read"))));
            expect(201, asA(a, "POST", "/api/webhooks", Map.of("url", "https://93.184.215.14/a2-hooks")));
            assertThat(expect(200, asA(a, "GET", "/api/webhooks/" + webhookA, null)).text("id")).isEqualTo(webhookA);
            expect(200, asA(a, "PATCH", "/api/webhooks/" + webhookA, Map.of("description", "by " + who)));
            assertThat(expect(200, asA(a, "POST", "/api/webhooks/" + webhookA + "/rotate-secret", null))
                    .text("secret")).startsWith("whsec_");
            assertThat(expect(200, asA(a, "GET", "/api/webhooks/" + webhookA + "/deliveries", null)).raw())
                    .contains(deliveryA);
            expect(202, asA(a, "POST", "/api/webhooks/" + webhookA + "/deliveries/" + deliveryA + "/retry", null));
            expect(202, asA(a, "POST", "/api/webhooks/" + webhookA + "/test", null));
            expect(202, asA(a, "POST", "/api/webhooks/" + webhookA + "/recover",
                    Map.of("since", Instant.now().minusSeconds(60).toString())));
            Response walked = expect(200, asA(a, "POST", "/api/lattices/" + latticeA + "/path", latticePath()));
            assertThat(walked.json().path("length").asLong()).isEqualTo(27);
            expect(200, asA(a, "POST", "/api/lattices/" + latticeA + "/analyze", null));
            expect(201, asA(a, "POST", "/api/lattices", Map.of("dimensions", 2, "size", 3)));
        }
        String[] ownerOfA = bearer(ownerA.accessToken());
        String[] keyOfA = {"X-API-Key", keyA};
        expect(200, asA(ownerOfA, "POST", "/api/subscription/checkout", Map.of("plan", "starter", "interval", "year")));
        assertThat(checkoutSessionOf(ownerA.tenantId()).params()).containsEntry("customer", customerA);
        expect(200, asA(ownerOfA, "POST", "/api/subscription/portal", Map.of()));
        assertThat(stripe.requests("POST", "/v1/billing_portal/sessions")).singleElement()
                .satisfies(q -> assertThat(q.params()).containsEntry("customer", customerA));
        forbidden(asA(keyOfA, "POST", "/api/subscription/checkout", Map.of("plan", "starter", "interval", "year")),
                "A's API key");
        forbidden(asA(keyOfA, "POST", "/api/subscription/portal", Map.of()), "A's API key");
        // the destructive ones last, in an order that keeps what each needs
        expect(201, asA(ownerOfA, "POST", "/api/api-keys/" + keyIdA + "/rotate", Map.of("grace_seconds", 0)));
        expect(204, asA(keyOfA, "DELETE", "/api/api-keys/" + keyIdA, null));
        expect(200, asA(ownerOfA, "PATCH", "/api/users/" + memberA, Map.of("role", "viewer")));
        expect(200, asA(keyOfA, "PATCH", "/api/users/" + memberA, Map.of("active", false)));
        expect(204, asA(ownerOfA, "DELETE", "/api/users/" + memberA, null));
        expect(204, asA(keyOfA, "DELETE", "/api/users/" + memberA + "/personal-data", null));
        expect(204, asA(keyOfA, "DELETE", "/api/webhooks/" + webhookA, null));
        expect(204, asA(keyOfA, "DELETE", "/api/lattices/" + latticeA, null));
    }

    static Map<String, Object> latticePath() {
        return Map.of("start", List.of(0, 0, 0), "end", List.of(9, 9, 9));
    }

    @Test
    @Order(2)
    void everyApiRouteIsProbedByTenantBAndControlledByTenantA() {
        Map<String, PathPattern> routes = apiRoutes();
        assertThat(routes).as("the route table").containsKeys("GET /api/users/{id}", "DELETE /api/api-keys/{id}",
                "POST /api/audit-logs/verify", "GET /api/history/{aggregateType}/{id}/state");
        assertThat(uncovered(routes, probedByB)).as("routes that no probe of tenant B called: add a probe")
                .isEmpty();
        assertThat(uncovered(routes, controlledByA)).as("routes without a positive control by tenant A: add one")
                .isEmpty();
    }

    @Test
    @Order(3)
    void aRouteWithoutAProbeFailsTheCoverageCheck() throws NoSuchMethodException {
        RequestMappingHandlerMapping mapping = app.bean("requestMappingHandlerMapping",
                RequestMappingHandlerMapping.class);
        RequestMappingInfo unprobed = RequestMappingInfo.paths("/api/isolation-unprobed/{id}")
                .methods(RequestMethod.DELETE).options(mapping.getBuilderConfiguration()).build();
        mapping.registerMapping(unprobed, new Object(), Object.class.getMethod("toString"));
        try {
            Map<String, PathPattern> routes = apiRoutes();
            assertThat(uncovered(routes, probedByB)).contains("DELETE /api/isolation-unprobed/{id}");
            assertThat(uncovered(routes, Set.of("DELETE /api/isolation-unprobed/x1")))
                    .doesNotContain("DELETE /api/isolation-unprobed/{id}");
        } finally {
            mapping.unregisterMapping(unprobed);
        }
        assertThat(apiRoutes()).doesNotContainKey("DELETE /api/isolation-unprobed/{id}");
    }

    /** Every route under /api/ in the application's request mappings, as "METHOD pattern" ("ANY" for no method). */
    static Map<String, PathPattern> apiRoutes() {
        Map<String, PathPattern> routes = new TreeMap<>();
        for (RequestMappingHandlerMapping mapping : app.beans(RequestMappingHandlerMapping.class).values()) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (String pattern : info.getPatternValues()) {
                    if (pattern.equals("/api") || pattern.startsWith("/api/")) {
                        PathPattern parsed = PathPatternParser.defaultInstance.parse(pattern);
                        if (methods.isEmpty()) {
                            routes.put("ANY " + pattern, parsed);
                        }
                        methods.forEach(m -> routes.put(m + " " + pattern, parsed));
                    }
                }
            }
        }
        return routes;
    }

    /** The routes that none of the requests reached (each request reaches its most specific matching route). */
    static Set<String> uncovered(Map<String, PathPattern> routes, Set<String> requests) {
        Set<String> reached = new HashSet<>();
        for (String request : requests) {
            String method = request.substring(0, request.indexOf(' '));
            PathContainer path = PathContainer.parsePath(request.substring(request.indexOf(' ') + 1));
            routes.entrySet().stream()
                    .filter(r -> (r.getKey().startsWith(method + " ") || r.getKey().startsWith("ANY "))
                            && r.getValue().matches(path))
                    .min(Comparator.comparing(Map.Entry::getValue, PathPattern.SPECIFICITY_COMPARATOR))
                    .ifPresent(r -> reached.add(r.getKey()));
        }
        Set<String> out = new TreeSet<>(routes.keySet());
        out.removeAll(reached);
        return out;
    }

    private static Response asB(String[] credential, String method, String path, Object body) {
        probedByB.add(method + " " + path.replaceFirst("\\?.*", ""));
        return call(credential, method, path, body);
    }

    private static Response asA(String[] credential, String method, String path, Object body) {
        controlledByA.add(method + " " + path.replaceFirst("\\?.*", ""));
        return call(credential, method, path, body);
    }

    private static Response call(String[] credential, String method, String path, Object body) {
        if (method.equals("GET")) {
            return http.get(path, credential);
        }
        if (method.equals("POST")) {
            return http.post(path, body == null ? Map.of() : body, credential);
        }
        try {
            return http.method(method, path, body == null ? null : Http.JSON.writeValueAsString(body), credential);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Response expect(int status, Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        return r;
    }

    private static void notFound(Response r, String who) {
        assertThat(r.status()).as("%s -> %s", who, r).isEqualTo(404);
        assertThat(r.text("code")).isEqualTo("not_found");
    }

    private static void forbidden(Response r, String who) {
        assertThat(r.status()).as("%s -> %s", who, r).isEqualTo(403);
        assertThat(r.text("code")).isEqualTo("forbidden");
    }

    private static FakeStripe.Request checkoutSessionOf(String tenantId) {
        return stripe.requests("POST", "/v1/checkout/sessions").stream()
                .filter(q -> tenantId.equals(q.params().get("client_reference_id"))).reduce((x, y) -> y)
                .orElseThrow(() -> new AssertionError("no checkout session was created for " + tenantId));
    }

    private static Map<String, List<Map<String, Object>>> snapshotOfA() {
        String t = ownerA.tenantId();
        Map<String, List<Map<String, Object>>> s = new LinkedHashMap<>();
        s.put("tenants", app.jdbc().queryForList("SELECT * FROM tenants WHERE id = ?", t));
        s.put("users", app.jdbc().queryForList("SELECT * FROM users WHERE tenant_id = ? ORDER BY id", t));
        s.put("api_keys", app.jdbc().queryForList(
                "SELECT id, tenant_id, name, prefix, key_hash, scopes, created_by, created_at, expires_at, revoked_at, "
                        + "valid_until, replaced_by FROM api_keys WHERE tenant_id = ? ORDER BY id", t));
        s.put("subscriptions", app.jdbc().queryForList("SELECT * FROM subscriptions WHERE tenant_id = ?", t));
        s.put("audit_logs", app.jdbc().queryForList("SELECT seq, action, hash FROM audit_logs WHERE tenant_id = ? "
                + "ORDER BY seq", t));
        s.put("webhooks", app.jdbc().queryForList("SELECT * FROM webhooks WHERE tenant_id = ? ORDER BY id", t));
        s.put("webhook_deliveries", app.jdbc().queryForList("SELECT id, status, attempts, next_attempt_at "
                + "FROM webhook_deliveries WHERE tenant_id = ? ORDER BY id", t));
        s.put("audit_heads", app.jdbc().queryForList("SELECT * FROM audit_heads WHERE tenant_id = ?", t));
        s.put("lattices", app.jdbc().queryForList("SELECT * FROM lattices WHERE tenant_id = ? ORDER BY id", t));
        s.put("lattice_operations", app.jdbc().queryForList("SELECT * FROM lattice_operations WHERE tenant_id = ? "
                + "ORDER BY id", t));
        s.put("events", app.jdbc().queryForList("SELECT aggregate_identifier, sequence_number, payload_type "
                + "FROM domain_event_entry WHERE aggregate_identifier IN (?, ?, ?, ?, ?, ?, ?, ?) "
                + "ORDER BY global_index",
                t, ownerA.userId(), memberA, keyIdA, keyAId, "sub-" + t, webhookA, latticeA));
        return s;
    }
}
