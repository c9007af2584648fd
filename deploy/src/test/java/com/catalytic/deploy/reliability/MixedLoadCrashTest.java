package com.catalytic.deploy.reliability;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.rebuild.RebuildTest;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Receiver;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * kill -9 under mixed load. The service runs in a JVM of its own; the load comes from this one: registrations,
 * API keys issued, metered calls, lattices created and queried, each request with its own request id. The service is
 * killed with SIGKILL in the middle of it and started again on the same database and data folder. Then, one by
 * one: every acknowledged command is in the event store exactly once (by the request id its events carry), every
 * acknowledged call has exactly one usage record, every event the tenants' webhooks subscribe to is delivered to
 * their receiver with a 2xx (at least once: receivers dedupe on {@code webhook-id}), and every read table equals
 * what a fresh rebuild from the events makes of it.
 */
class MixedLoadCrashTest {

    /** Kills under load before the checks: 1 in the default suite, more in the long mode (docs/RELIABILITY.md). */
    private static final int ROUNDS = Integer.getInteger("reliability.rounds", 1);
    private static final int WORKERS = 4;
    private static final Pattern TOKEN_INDEX = Pattern.compile("\"index\"\\s*:\\s*(\\d+)");
    private static final Map<String, String> SETTINGS = Map.of(
            // the load is what is measured here, not the free plan's limits
            "catalytic.plans.free.requests-per-minute", "1000000",
            "catalytic.plans.free.api-calls-per-month", "-1",
            "catalytic.plans.free.lattices", "-1",
            "catalytic.auth.max-registrations-per-ip", "100000",
            // the tenants' webhooks go to a receiver on this machine
            "catalytic.webhooks.allow-private-targets", "true",
            "catalytic.webhooks.dispatch-interval", "200ms");
    /** What each worker's tenant subscribes its webhook to. */
    private static final List<String> HOOKED = List.of("ApiKeyIssuedEvent", "LatticeCreatedEvent");

    @TempDir
    Path dir;

    /** The tenants' webhook receiver, answering 200; closed after the test however it ends. */
    private final Receiver receiver = new Receiver();

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    /** An acknowledged command: its request id, the event type it must have stored, and what it created. */
    record Acked(String requestId, String eventType, String aggregateId) {
    }

    @Test
    void afterAKillUnderMixedLoadEveryAcknowledgedChangeIsStoredOnceAndEveryReadTableEqualsARebuild()
            throws Exception {
        String schema = TestApp.newSchema();
        JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(
                ChildApp.jdbcUrl(schema), TestApp.pgUser(), ""));
        Set<Acked> commands = ConcurrentHashMap.newKeySet();
        Set<String> calls = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();

        List<Account> owners = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            ChildApp app = ChildApp.start(schema, dir, List.of("-Xmx512m"), SETTINGS);
            try {
                Http http = app.http();
                while (owners.size() < WORKERS) {
                    Account owner = Accounts.registerAndLogin(http, "mixed" + owners.size());
                    Response hook = http.post("/api/webhooks", Map.of("url", receiver.url("/mixed"), "event_types",
                            List.of("api_key.issued", "lattice.created")), bearer(owner.accessToken()));
                    assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
                    owners.add(owner);
                }
                AtomicBoolean running = new AtomicBoolean(true);
                ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
                for (Account owner : owners) {
                    pool.submit(() -> {
                        for (int i = 0; running.get(); i++) {
                            try {
                                step(http, owner, i, commands, calls);
                            } catch (AssertionError connectionGone) {
                                refused.incrementAndGet(); // the kill: no answer, so nothing acknowledged
                                return;
                            }
                        }
                    });
                }
                int commandsBefore = commands.size();
                int callsBefore = calls.size();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() ->
                        commands.size() - commandsBefore >= 60 && calls.size() - callsBefore >= 150);
                app.kill(); // SIGKILL, mid-load
                running.set(false);
                pool.shutdown();
                assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                app.kill();
            }
        }
        assertThat(commands).extracting(Acked::eventType).contains("TenantRegisteredEvent", "ApiKeyIssuedEvent",
                "LatticeCreatedEvent");

        ChildApp second = ChildApp.start(schema, dir, List.of("-Xmx512m"), SETTINGS);
        try {
            assertThat(notStoredExactlyOnce(db, commands)).as("acknowledged commands not stored exactly once (of %d)",
                    commands.size()).isEmpty();
            // the journal is shipped and projected after the restart
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(withoutOneUsageRecord(db, calls))
                    .as("acknowledged calls without exactly one usage record (of %d)", calls.size()).isEmpty());
            awaitProjectionsCaughtUp(db);
            // deliveries the killed node had claimed are taken up once its claim lapses (30 s)
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(notDelivered(hookedEvents(db,
                    owners), delivered(receiver))).as("events without a delivery answered 2xx").isEmpty());
        } finally {
            second.close();
        }
        List<String> hookedEvents = hookedEvents(db, owners);
        assertThat(hookedEvents).as("events the webhooks subscribe to").hasSizeGreaterThanOrEqualTo(
                (int) commands.stream().filter(c -> HOOKED.contains(c.eventType())).count());
        Map<String, Long> delivered = delivered(receiver);

        // the read tables as the service left them, then as a fresh rebuild from the events makes them
        Map<String, List<Map<String, Object>>> projected = snapshot(db);
        assertThat(projected.get("tenants")).hasSizeGreaterThanOrEqualTo(WORKERS);
        assertThat(projected.get("usage_logs")).hasSizeGreaterThanOrEqualTo(calls.size());
        Cli.Result rebuild = Cli.run(schema, "projections", "rebuild", "--no-progress");
        assertThat(rebuild.code()).as(rebuild.out()).isZero();
        assertThat(rebuild.out()).contains("Swapped in");
        Map<String, List<Map<String, Object>>> rebuilt = snapshot(db);
        assertThat(differences(projected, rebuilt)).as("read tables unlike their rebuild").isEmpty();
        System.out.printf("RELIABILITY kill -9 under mixed load: %d kill(s); %d acknowledged commands (%s), each stored "
                        + "once; %d acknowledged calls, each with one usage record; %d events; %d read tables, %d rows, "
                        + "equal to a fresh rebuild; %d webhook events, each delivered with a 2xx (%d more than once); "
                        + "%d requests cut off by the kills%n", ROUNDS, commands.size(),
                countByType(commands), calls.size(), db.queryForObject("SELECT COUNT(*) FROM domain_event_entry",
                        Long.class), rebuilt.size(), rebuilt.values().stream().mapToInt(List::size).sum(),
                hookedEvents.size(), delivered.values().stream().filter(n -> n > 1).count(), refused.get());

        // each checker can fail: a command that was never stored, a usage record lost, a read table row changed
        Set<Acked> withAFake = new HashSet<>(commands);
        Acked fake = new Acked(UUID.randomUUID().toString(), "ApiKeyIssuedEvent", UUID.randomUUID().toString());
        withAFake.add(fake);
        assertThat(notStoredExactlyOnce(db, withAFake)).singleElement().asString().startsWith(fake.toString());
        String lost = calls.iterator().next();
        assertThat(db.update("DELETE FROM usage_logs WHERE request_id = ?", lost)).isEqualTo(1);
        assertThat(withoutOneUsageRecord(db, calls)).containsExactly(lost + ": 0");
        assertThat(db.update("UPDATE api_keys SET name = 'changed' WHERE id = (SELECT MIN(id) FROM api_keys)"))
                .isEqualTo(1);
        assertThat(differences(rebuilt, snapshot(db))).anySatisfy(d -> assertThat(d).startsWith("api_keys row"))
                .anySatisfy(d -> assertThat(d).startsWith("usage_logs"));
        Map<String, Long> oneMissing = new HashMap<>(delivered);
        assertThat(oneMissing.remove(hookedEvents.get(0))).isNotNull();
        assertThat(notDelivered(hookedEvents, oneMissing)).containsExactly(hookedEvents.get(0));
    }

    /** The events of the workers' tenants their webhooks subscribe to (all stored after the webhooks were made). */
    private static List<String> hookedEvents(JdbcTemplate db, List<Account> owners) {
        Set<String> tenants = owners.stream().map(Account::tenantId).collect(Collectors.toSet());
        List<String> ids = new ArrayList<>();
        db.query("SELECT event_identifier, payload_type, convert_from(meta_data, 'UTF8')::jsonb ->> 'tenant_id' "
                + "FROM domain_event_entry ORDER BY global_index", rs -> {
            String type = rs.getString(2); // a nested class: LatticeMessages$LatticeCreatedEvent
            if (tenants.contains(rs.getString(3)) && HOOKED.contains(type.substring(type.lastIndexOf('$') + 1))) {
                ids.add(rs.getString(1));
            }
        });
        return ids;
    }

    /** How many times the receiver answered 2xx to a delivery, by {@code webhook-id} (the event's id). */
    private static Map<String, Long> delivered(Receiver receiver) {
        return receiver.received("/mixed").stream().filter(r -> r.answered() / 100 == 2)
                .collect(Collectors.groupingBy(r -> r.headers().get("webhook-id"), Collectors.counting()));
    }

    /** Events without a delivery answered 2xx. */
    private static List<String> notDelivered(List<String> events, Map<String, Long> delivered) {
        return events.stream().filter(id -> !delivered.containsKey(id)).toList();
    }

    /** Acknowledged commands for which not exactly one event of their kind, on their aggregate, has their request id. */
    private static List<String> notStoredExactlyOnce(JdbcTemplate db, Set<Acked> commands) {
        List<String> wrong = new ArrayList<>();
        for (Acked c : commands) {
            List<String> stored = db.queryForList("SELECT aggregate_identifier FROM domain_event_entry "
                    + "WHERE payload_type LIKE ? AND convert_from(meta_data, 'UTF8')::jsonb ->> 'request_id' = ?",
                    String.class, "%" + c.eventType(), c.requestId());
            if (stored.size() != 1 || !stored.get(0).equals(c.aggregateId())) {
                wrong.add(c + " -> " + stored);
            }
        }
        return wrong;
    }

    /** Acknowledged calls (request ids) that have no usage record, or more than one: "id: count". */
    private static List<String> withoutOneUsageRecord(JdbcTemplate db, Set<String> calls) {
        Map<String, Integer> rows = new HashMap<>();
        db.query("SELECT request_id, COUNT(*) FROM usage_logs GROUP BY request_id", rs -> {
            rows.put(rs.getString(1), rs.getInt(2));
        });
        return calls.stream().filter(id -> rows.getOrDefault(id, 0) != 1)
                .map(id -> id + ": " + rows.getOrDefault(id, 0)).toList();
    }

    /** Rows of {@code actual} unlike {@code expected}'s, table by table and row by row. */
    private static List<String> differences(Map<String, List<Map<String, Object>>> expected,
                                            Map<String, List<Map<String, Object>>> actual) {
        List<String> out = new ArrayList<>();
        expected.forEach((table, rows) -> {
            List<Map<String, Object>> other = actual.get(table);
            if (other.size() != rows.size()) {
                out.add(table + ": " + other.size() + " rows, not " + rows.size());
                return;
            }
            for (int i = 0; i < rows.size(); i++) {
                if (!rows.get(i).equals(other.get(i))) {
                    out.add(table + " row " + i + ": " + other.get(i) + ", not " + rows.get(i));
                }
            }
        });
        return out;
    }

    private static Map<String, Long> countByType(Set<Acked> commands) {
        Map<String, Long> counts = new TreeMap<>();
        commands.forEach(c -> counts.merge(c.eventType(), 1L, Long::sum));
        return counts;
    }

    /** One step of a worker's mix: mostly metered reads, then a key, a lattice and its query, now and then a sign-up. */
    private static void step(Http http, Account owner, int i, Set<Acked> commands, Set<String> calls) {
        String requestId = UUID.randomUUID().toString();
        String[] auth = withRequestId(bearer(owner.accessToken()), requestId);
        switch (i % 8) {
            case 0 -> {
                Response r = http.post("/api/api-keys", Map.of("name", "k" + i, "scopes", List.of("users:read")), auth);
                if (r.status() == 201) {
                    commands.add(new Acked(requestId, "ApiKeyIssuedEvent", r.text("id")));
                    calls.add(requestId);
                }
            }
            case 1 -> {
                Response r = http.post("/api/lattices", Map.of("name", "l" + i, "dimensions", 2, "size", 5), auth);
                if (r.status() == 201) {
                    commands.add(new Acked(requestId, "LatticeCreatedEvent", r.text("id")));
                    calls.add(requestId);
                    String pathId = UUID.randomUUID().toString();
                    Response path = http.post("/api/lattices/" + r.text("id") + "/path",
                            Map.of("start", List.of(0, 0), "end", List.of(4, 4)),
                            withRequestId(bearer(owner.accessToken()), pathId));
                    if (path.status() == 200) {
                        calls.add(pathId);
                    }
                }
            }
            case 2 -> {
                if (i % 32 == 2) {
                    String email = Accounts.uniqueEmail("signup");
                    Response r = http.post("/auth/register", Map.of("email", email, "password", Accounts.PASSWORD,
                            "company_name", "Mixed " + requestId.substring(0, 8)), "X-Request-ID", requestId);
                    if (r.status() == 201) {
                        commands.add(new Acked(requestId, "TenantRegisteredEvent", r.text("tenant_id")));
                    }
                }
            }
            default -> {
                if (http.get("/api/me", auth).status() == 200) {
                    calls.add(requestId);
                }
            }
        }
    }

    private static String[] withRequestId(String[] headers, String requestId) {
        String[] all = new String[headers.length + 2];
        System.arraycopy(headers, 0, all, 0, headers.length);
        all[headers.length] = "X-Request-ID";
        all[headers.length + 1] = requestId;
        return all;
    }

    /** Every segment of every processor has handled every event stored so far. */
    private static void awaitProjectionsCaughtUp(JdbcTemplate db) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Long head = db.queryForObject("SELECT MAX(global_index) FROM domain_event_entry", Long.class);
            List<String> behind = new ArrayList<>();
            db.query("SELECT processor_name, segment, convert_from(token, 'UTF8') FROM token_entry", rs -> {
                String token = rs.getString(3);
                Matcher m = token == null ? null : TOKEN_INDEX.matcher(token);
                if (m == null || !m.find() || Long.parseLong(m.group(1)) < head) {
                    behind.add(rs.getString(1) + "/" + rs.getInt(2) + ": " + token);
                }
            });
            assertThat(behind).as("processors behind the head of the event store (%d)", head).isEmpty();
        });
    }

    private static Map<String, List<Map<String, Object>>> snapshot(JdbcTemplate db) {
        Map<String, List<Map<String, Object>>> s = new LinkedHashMap<>();
        RebuildTest.TABLES.forEach((table, sql) -> s.put(table, db.queryForList(sql)));
        return s;
    }
}
