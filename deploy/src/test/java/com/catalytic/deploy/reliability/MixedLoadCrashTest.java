package com.catalytic.deploy.reliability;

import static com.catalytic.deploy.support.Http.bearer;
import static com.catalytic.deploy.support.MixedLoad.awaitProjectionsCaughtUp;
import static com.catalytic.deploy.support.MixedLoad.countByType;
import static com.catalytic.deploy.support.MixedLoad.differences;
import static com.catalytic.deploy.support.MixedLoad.notStoredExactlyOnce;
import static com.catalytic.deploy.support.MixedLoad.snapshot;
import static com.catalytic.deploy.support.MixedLoad.step;
import static com.catalytic.deploy.support.MixedLoad.withoutOneUsageRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.MixedLoad.Acked;
import com.catalytic.deploy.support.Receiver;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
}
