package com.catalytic.deploy.rebuild;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.billing.SubscriptionCommands;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.LatticeEvents;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.metering.UsageShipper;
import com.catalytic.projections.EventProcessingGroup;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.GenericEventMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A realistic history is projected, the read tables are damaged, and {@code catalytic projections rebuild} restores
 * every row exactly as it was, while the application keeps running; {@code --as-of} builds past read models aside.
 */
public class RebuildTest {

    /** Table → its ordering and the columns compared (operational columns not derived from events left out). */
    public static final Map<String, String> TABLES = new LinkedHashMap<>();

    static {
        TABLES.put("tenants", "SELECT * FROM tenants ORDER BY id");
        TABLES.put("users", "SELECT * FROM users ORDER BY id");
        TABLES.put("api_keys", "SELECT id, tenant_id, name, prefix, key_hash, scopes, created_by, created_at, "
                + "expires_at, revoked_at, valid_until, replaced_by, rotated_from, rate_limit_per_minute FROM api_keys "
                + "ORDER BY id");
        TABLES.put("auth_sessions", "SELECT * FROM auth_sessions ORDER BY id");
        TABLES.put("access_changes", "SELECT kind, subject_id, tenant_id, changed_at FROM access_changes "
                + "ORDER BY changed_at, kind, subject_id");
        TABLES.put("usage_logs", "SELECT * FROM usage_logs ORDER BY id");
        TABLES.put("usage_rollups", "SELECT * FROM usage_rollups ORDER BY tenant_id, hour_start, endpoint, method");
        TABLES.put("audit_logs", "SELECT * FROM audit_logs ORDER BY tenant_id, seq");
        TABLES.put("audit_heads", "SELECT * FROM audit_heads ORDER BY tenant_id");
        TABLES.put("subscriptions", "SELECT * FROM subscriptions ORDER BY tenant_id");
        TABLES.put("lattices", "SELECT * FROM lattices ORDER BY id");
        TABLES.put("lattice_operations", "SELECT * FROM lattice_operations ORDER BY id");
    }

    /** The distinct calls in the event store, of both stored forms. */
    static final String CALLS = "SELECT COUNT(DISTINCT id) FROM (SELECT r ->> 'usageId' AS id FROM "
            + "domain_event_entry, jsonb_array_elements(convert_from(payload, 'UTF8')::jsonb -> 'records') r "
            + "WHERE payload_type LIKE '%UsageRecordedBatchEvent' UNION ALL SELECT "
            + "convert_from(payload, 'UTF8')::jsonb ->> 'usageId' FROM domain_event_entry "
            + "WHERE payload_type LIKE '%UsageRecordedEvent') calls";

    static String schema = TestApp.newSchema();
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(schema, Map.of());
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static Map<String, List<Map<String, Object>>> snapshot() {
        Map<String, List<Map<String, Object>>> s = new LinkedHashMap<>();
        TABLES.forEach((table, sql) -> s.put(table, app.jdbc().queryForList(sql)));
        return s;
    }

    static void history(int tenants) {
        CommandGateway commands = app.bean(CommandGateway.class);
        for (int t = 0; t < tenants; t++) {
            Account owner = Accounts.registerAndLogin(http, "history" + t);
            String[] auth = bearer(owner.accessToken());
            Accounts.changePlan(app, owner.tenantId(), "starter");
            String member = expect(201, http.post("/api/users", Map.of("email", Accounts.uniqueEmail("m" + t), "role",
                    "member", "password", Accounts.PASSWORD), auth)).text("id");
            expect(200, http.method("PATCH", "/api/users/" + member, "{\"role\":\"viewer\"}", auth));
            String key = expect(201, http.post("/api/api-keys", Map.of("name", "k" + t, "scopes",
                    List.of("users:read")), auth)).text("id");
            expect(201, http.post("/api/api-keys/" + key + "/rotate", Map.of("grace_seconds", 60), auth));
            for (int i = 0; i < 5; i++) {
                expect(200, http.get("/api/me", auth));
            }
            if (t % 2 == 0) {
                subscribe(commands, owner.tenantId(), t);
            }
            lattices(new LatticeEvents(app, owner.tenantId(), owner.userId()), t);
            expect(204, http.post("/auth/logout", null, auth));
        }
    }

    /** A subscription as Stripe reports it: checkout, the subscription, a failed then a paid invoice. */
    static void subscribe(CommandGateway commands, String tenantId, int t) {
        String sub = SubscriptionCommands.subscriptionIdFor(tenantId);
        Instant at = Instant.parse("2026-11-01T00:00:00Z").plusSeconds(t * 3600L);
        commands.sendAndWait(new SubscriptionCommands.RecordCheckoutCommand(sub, tenantId, "cs_" + t, "starter",
                "month", Actor.system()));
        commands.sendAndWait(new SubscriptionCommands.SyncSubscriptionCommand(sub, tenantId,
                new SubscriptionCommands.StripeEventRef("evt_s" + t + tenantId, "customer.subscription.created", at),
                "cus_" + tenantId, "sub_" + t, "starter", "month", "active", at, at.plusSeconds(30 * 86400L), null,
                false));
        commands.sendAndWait(new SubscriptionCommands.RecordPaymentFailedCommand(sub, tenantId,
                new SubscriptionCommands.StripeEventRef("evt_f" + t + tenantId, "invoice.payment_failed",
                        at.plusSeconds(60)),
                new SubscriptionCommands.InvoiceFacts("in_" + t, "cus_" + tenantId, "sub_" + t, 2900, "usd", 1, null, null)));
        commands.sendAndWait(new SubscriptionCommands.RecordPaymentSucceededCommand(sub, tenantId,
                new SubscriptionCommands.StripeEventRef("evt_p" + t + tenantId, "invoice.paid", at.plusSeconds(120)),
                new SubscriptionCommands.InvoiceFacts("in_" + t, "cus_" + tenantId, "sub_" + t, 2900, "usd", 2, null, null)));
    }

    /** Lattices as their aggregates store them: one kept with its operations, one deleted after an operation. */
    static void lattices(LatticeEvents events, int t) {
        String kept = events.create("kept" + t, 3, 50 + t, List.of(List.of(1, 1, 1), List.of(2, 2, t)), null);
        events.operation(kept, 1, "path", Map.of("start", List.of(0, 0, 0), "end", List.of(49, 49, t)),
                Map.of("reachable", true, "length", 98 + t, "vertices_explored", 12_345 + t, "path_truncated", false),
                Instant.now());
        events.operation(kept, 2, "analyze", Map.of(), Map.of("vertices", new BigInteger("124998"),
                "components", 1, "bipartite", true, "diameter", 147), Instant.now());
        String deleted = events.create(null, 10, 1000);
        events.operation(deleted, 1, "analyze", Map.of(), Map.of("method", "closed_form"), Instant.now());
        events.delete(deleted, 2);
    }

    /**
     * Usage events as the journal never writes them today but history holds them: calls stored one event each
     * (before batching, their request id in the metadata), one of them stored twice, and values at the edges (an
     * endpoint longer than the column, nanoseconds, no user or key, a server error, units).
     */
    static void unusualUsage(String tenantId) {
        EventBus events = app.bean(EventBus.class);
        Instant at = Instant.parse("2026-11-30T23:59:59.123456789Z");
        String longEndpoint = "/api/" + "x".repeat(300);
        UsageRecordedEvent legacy = new UsageRecordedEvent(UUID.randomUUID().toString(), tenantId, null, null,
                longEndpoint, "POST", 503, 12, 4096, 7, at);
        GenericEventMessage<UsageRecordedEvent> message = new GenericEventMessage<>(legacy,
                Map.of("tenant_id", tenantId, "request_id", "rq-legacy"));
        events.publish(message);
        events.publish(new GenericEventMessage<>(legacy, message.getMetaData())); // the same call, shipped again
        events.publish(GenericEventMessage.asEventMessage(new UsageRecordedEvent(UUID.randomUUID().toString(),
                tenantId, "user-x", "key-x", "/api/me", "GET", 200, 0, 0, 0, at.plusNanos(1))));
        events.publish(GenericEventMessage.asEventMessage(new UsageRecordedBatchEvent(tenantId, List.of(
                new UsageRecord(UUID.randomUUID().toString(), null, null, longEndpoint, "DELETE", 404, 1, 2, 3,
                        at.plusSeconds(3600), null, null),
                new UsageRecord(UUID.randomUUID().toString(), "user-y", "key-y", "/api/usage", "GET", 200, 9, 10,
                        Long.MAX_VALUE / 2, at.minusNanos(999), "rq-y", "10.0.0.1")))));
    }

    static Response expect(int status, Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        return r;
    }

    /** Every metered call of {@code app} shipped from its journal to the event store (it ships once a second). */
    static void awaitShipped(TestApp app) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(app.bean(UsageShipper.class).backlog()).as("calls not yet shipped").isZero());
    }

    static void awaitProjected() {
        awaitShipped(app);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM usage_logs", Long.class)).isEqualTo(
                    app.jdbc().queryForObject(CALLS, Long.class));
            assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM audit_logs", Long.class)).isEqualTo(
                    app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry "
                            + "WHERE payload_type NOT LIKE '%UsageRecorded%'", Long.class));
        });
    }

    @Test
    void aRebuildRestoresEveryRowOfDamagedReadTables() throws Exception {
        history(4);
        unusualUsage(app.jdbc().queryForObject("SELECT MIN(id) FROM tenants", String.class));
        awaitProjected();
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM usage_logs WHERE length(endpoint) = 200 OR "
                + "request_id = 'rq-legacy' OR status = 503 AND units = 7", Long.class)).as("unusual calls")
                .isEqualTo(2);
        // calls stored at an older revision (one an upcaster may change): replayed through the projection once the
        // load in the database is done, into its keyed and summed tables
        assertThat(app.jdbc().update("UPDATE domain_event_entry SET payload_revision = '0' WHERE global_index = (SELECT "
                + "max(global_index) FROM domain_event_entry WHERE payload_type LIKE '%UsageRecordedBatchEvent')"))
                .isEqualTo(1);
        Map<String, List<Map<String, Object>>> before = snapshot();
        assertThat(before.values()).allSatisfy(rows -> assertThat(rows).isNotEmpty());

        assertThat(before.get("subscriptions")).as("subscriptions").hasSize(2)
                .allSatisfy(row -> assertThat(row.get("stripe_customer_id")).isNotNull());
        assertThat(before.get("lattices")).as("lattices").hasSize(8)
                .filteredOn(row -> row.get("deleted_at") != null).hasSize(4);
        assertThat(before.get("lattice_operations")).as("lattice operations").hasSize(12);

        // a call shipped twice (a journal shipped again after a crash): one row, counted once, live and rebuilt; once
        // more at an older revision (replayed, not loaded in the database: it must meet the loaded copy's key)
        for (String revision : List.of("payload_revision", "'0'")) {
            assertThat(app.jdbc().update("INSERT INTO domain_event_entry (event_identifier, aggregate_identifier, "
                    + "sequence_number, type, time_stamp, payload_type, payload_revision, payload, meta_data) "
                    + "SELECT x.id, x.id, 0, NULL, time_stamp, payload_type, " + revision + ", payload, meta_data FROM "
                    + "(SELECT gen_random_uuid()::text AS id, * FROM domain_event_entry WHERE payload_type LIKE "
                    + "'%UsageRecordedBatchEvent' ORDER BY global_index LIMIT 1) x")).isEqualTo(1);
        }

        // a bad release: rows lost and rows corrupted, in every table
        app.jdbc().update("DELETE FROM users WHERE role = 'viewer'");
        app.jdbc().update("UPDATE tenants SET name = 'corrupted'");
        app.jdbc().update("UPDATE api_keys SET name = 'corrupted'");
        app.jdbc().update("DELETE FROM auth_sessions WHERE revoked_at IS NOT NULL");
        app.jdbc().update("DELETE FROM access_changes WHERE kind = 'session'");
        app.jdbc().update("DELETE FROM usage_logs WHERE status = 200 AND endpoint = '/api/me'");
        app.jdbc().update("UPDATE usage_rollups SET calls = calls + 1");
        app.jdbc().update("DELETE FROM audit_logs WHERE seq > 3");
        app.jdbc().update("UPDATE audit_heads SET seq = 0");
        app.jdbc().update("DELETE FROM subscriptions WHERE tenant_id = (SELECT MIN(tenant_id) FROM subscriptions)");
        app.jdbc().update("UPDATE subscriptions SET status = 'canceled', failed_payments = 7");
        app.jdbc().update("UPDATE lattices SET deleted_at = NULL, vertices = vertices + 1");
        app.jdbc().update("DELETE FROM lattices WHERE name = 'kept0'");
        app.jdbc().update("DELETE FROM lattice_operations WHERE operation = 'path'");
        app.jdbc().update("UPDATE lattice_operations SET compute_units = 0");
        Map<String, List<Map<String, Object>>> damaged = snapshot();
        before.forEach((table, rows) -> assertThat(damaged.get(table)).as("%s is damaged", table).isNotEqualTo(rows));

        String out;
        try (PeakConnections connections = new PeakConnections(app.jdbc(), "catalytic-rebuild_%")) {
            out = cli("projections", "rebuild", "--no-progress");
            // at least the pool, the event store reader and the schema connection were seen; never more than that
            assertThat(connections.peak()).as("connections of the rebuild at once").isBetween(3,
                    ProjectionRebuilder.connections(EventProcessingGroup.projections().size()));
        }
        assertThat(out).contains("events replayed", "Swapped in");
        Map<String, List<Map<String, Object>>> rebuilt = snapshot();
        before.forEach((table, rows) -> {
            assertThat(rebuilt.get(table).size()).as("%s row count", table).isEqualTo(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                assertThat(rebuilt.get(table).get(i)).as("%s row %d", table, i).isEqualTo(rows.get(i));
            }
        });
        // the running application reads and writes the new tables
        Account after = Accounts.registerAndLogin(http, "after-rebuild");
        assertThat(http.get("/api/me", bearer(after.accessToken())).status()).isEqualTo(200);
        assertThat(http.get("/api/audit-logs/verify", bearer(after.accessToken())).json().path("valid").asBoolean())
                .isTrue();
    }

    @Test
    void asOfBuildsPastReadModelsInASchemaOfTheirOwn() throws Exception {
        Account owner = Accounts.registerAndLogin(http, "past");
        expect(200, http.get("/api/me", bearer(owner.accessToken())));
        awaitProjected();
        Thread.sleep(20);
        Instant then = Instant.now();
        Thread.sleep(20);
        http.method("PATCH", "/api/tenant", "{\"name\":\"Renamed Since\"}", bearer(owner.accessToken()));
        expect(200, http.get("/api/me", bearer(owner.accessToken())));
        Accounts.registerAndLogin(http, "later");
        awaitProjected();
        String out = cli("projections", "rebuild", "accounts", "usage", "--as-of", then.toString(), "--no-progress");
        assertThat(out).contains("are in schema asof_");
        // the store is read up to the last event of that instant, not to its end
        long upToThen = app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE global_index <= "
                + "(SELECT MAX(global_index) FROM domain_event_entry WHERE time_stamp <= ?)", Long.class,
                DateTimeUtils.formatInstant(then));
        long stored = app.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry", Long.class);
        assertThat(upToThen).as("events up to then, of %d", stored).isPositive().isLessThan(stored);
        assertThat(out).contains("; " + upToThen + " events of the store read");
        String asOfSchema = out.replaceAll("(?s).*are in schema (asof_[0-9_]+).*", "$1");
        String nameThen = app.jdbc().queryForObject("SELECT name FROM " + asOfSchema + ".tenants WHERE id = ?",
                String.class, owner.tenantId());
        assertThat(nameThen).isEqualTo("past Inc");
        // the calls shipped up to then, and none after (the owner's calls since are in the live table only)
        String callsUpTo = CALLS.replace("WHERE", "WHERE time_stamp <= ? AND");
        String thenStamp = DateTimeUtils.formatInstant(then);
        long callsThen = app.jdbc().queryForObject(callsUpTo, Long.class, thenStamp, thenStamp);
        String nowStamp = DateTimeUtils.formatInstant(Instant.now());
        assertThat(callsThen).as("calls shipped by then").isPositive()
                .isLessThan(app.jdbc().queryForObject(callsUpTo, Long.class, nowStamp, nowStamp));
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM " + asOfSchema + ".usage_logs", Long.class))
                .isEqualTo(callsThen);
        String ownersCalls = "SELECT method || ' ' || endpoint FROM %s.usage_logs WHERE tenant_id = ? ORDER BY 1";
        assertThat(app.jdbc().queryForList(ownersCalls.formatted(schema), String.class, owner.tenantId()))
                .containsExactly("GET /api/me", "GET /api/me", "PATCH /api/tenant");
        assertThat(app.jdbc().queryForList(ownersCalls.formatted(asOfSchema), String.class, owner.tenantId()))
                .containsExactly("GET /api/me");
        assertThat(app.jdbc().queryForObject("SELECT name FROM tenants WHERE id = ?", String.class, owner.tenantId()))
                .isEqualTo("Renamed Since");
        app.jdbc().execute("DROP SCHEMA " + asOfSchema + " CASCADE");
    }

    private static String cli(String... args) {
        Cli.Result r = Cli.run(schema, args);
        assertThat(r.code()).as(r.out()).isZero();
        return r.out();
    }
}
