package com.catalytic.deploy.reliability;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.ChildApp;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.LocalPostgres;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL restarted and then stopped for 15 s, for real, under load (key issues, reads, metered calls, a health
 * monitor). The service runs in a JVM of its own on a PostgreSQL server of its own ({@link LocalPostgres}), so the
 * restart and the stop are the server's, not a stand-in; the load comes from this JVM. Afterwards, one by one: no
 * answer was a 500; every key acknowledged (201) is in the event store; no key stored was answered as a plain failure
 * (a 5xx saying nothing was changed); {@code /health} answered within a second throughout; the 503s of a known outage
 * came at once (p99 under 100 ms); and the service serves again within seconds of the database, without a restart.
 * Then each checker is shown to report a run that breaks its promise.
 */
class DatabaseOutageUnderLoadTest {

    /** Restarts and outages under load before the checks: 1 in the default suite, more in the long mode. */
    private static final int ROUNDS = Integer.getInteger("reliability.rounds", 1);
    private static final Map<String, String> SETTINGS = Map.of(
            "catalytic.database.probe-interval", "200ms",
            // the load is what is tested here, not the free plan's limits
            "catalytic.plans.free.requests-per-minute", "1000000",
            "catalytic.plans.free.api-calls-per-month", "-1");

    @TempDir
    Path dir;

    /** One answer: what was asked, how it was answered, how long it took, whether an outage was known by then. */
    record Answer(String what, String name, int status, boolean mayHaveTakenEffect, long millis,
                  boolean outageKnown) {
    }

    /** What a run saw: the answers, the key names stored, each /health's time, the slowest recovery. */
    record Observed(List<Answer> answers, Set<String> stored, List<Long> healthMillis, long recoveredMillis) {

        List<Long> knownOutage503Millis() {
            return answers.stream().filter(a -> a.status() == 503 && a.outageKnown()).map(Answer::millis).sorted()
                    .toList();
        }

        long p99(List<Long> sorted) {
            return sorted.isEmpty() ? 0 : sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
        }
    }

    @Test
    void restartAndOutageUnderLoadLoseNothingAndNeverAnswer500() throws Exception {
        String schema = TestApp.newSchema();
        try (LocalPostgres pg = LocalPostgres.start()) {
            Map<String, String> settings = new TreeMap<>(SETTINGS);
            settings.put("spring.datasource.url", pg.jdbcUrl(schema));
            settings.put("spring.datasource.username", "postgres");
            Observed observed;
            try (ChildApp app = ChildApp.start(schema, dir, List.of("-Xmx512m"), settings)) {
                observed = underLoad(app.http(), pg, schema);
            }
            List<Answer> all = observed.answers();
            assertThat(all).as("answers").hasSizeGreaterThan(100);
            assertThat(all).filteredOn(a -> a.status() == 503).as("the outages were met").isNotEmpty();
            assertThat(all).filteredOn(a -> a.status() == 201).as("keys issued between the outages").isNotEmpty();
            assertThat(observed.knownOutage503Millis()).as("503s during a known outage").hasSizeGreaterThan(50);
            assertThat(observed.healthMillis()).as("/health samples").hasSizeGreaterThan(50);
            assertThat(violations(observed)).as("promises broken").isEmpty();

            Map<Integer, Long> byStatus = new TreeMap<>();
            all.forEach(a -> byStatus.merge(a.status(), 1L, Long::sum));
            // the figures docs/RELIABILITY.md quotes
            System.out.printf("RELIABILITY database-outage rounds=%d answers=%d by_status=%s stored_keys=%d "
                            + "stored_answered_503=%d known_outage_503s=%d p99_ms=%d health_samples=%d "
                            + "health_max_ms=%d recovered_ms=%d%n",
                    ROUNDS, all.size(), byStatus, observed.stored().size(),
                    all.stream().filter(a -> a.status() == 503 && observed.stored().contains(a.name())).count(),
                    observed.knownOutage503Millis().size(), observed.p99(observed.knownOutage503Millis()),
                    observed.healthMillis().size(), Collections.max(observed.healthMillis()),
                    observed.recoveredMillis());

            // each checker reports a run that breaks its promise
            String storedName = observed.stored().iterator().next();
            assertReported(observed, o -> with(o, new Answer("GET", null, 500, false, 3, false)), "a 500");
            assertReported(observed, o -> with(o, new Answer("POST /api/api-keys", "never-stored", 201, false, 3,
                    false)), "acknowledged but not stored: never-stored");
            assertReported(observed, o -> with(o, new Answer("POST /api/api-keys", storedName, 503, false, 3, false)),
                    "stored but answered as a plain failure: " + storedName);
            assertReported(observed, o -> {
                List<Answer> slow = new ArrayList<>(o.answers());
                o.knownOutage503Millis().forEach(ms -> slow.add(new Answer("GET", null, 503, false, 5_000, true)));
                return new Observed(slow, o.stored(), o.healthMillis(), o.recoveredMillis());
            }, "p99 of the 503s during a known outage");
            assertReported(observed, o -> {
                List<Long> health = new ArrayList<>(o.healthMillis());
                health.add(3_000L);
                return new Observed(o.answers(), o.stored(), health, o.recoveredMillis());
            }, "/health took");
            assertReported(observed, o -> new Observed(o.answers(), o.stored(), o.healthMillis(), 60_000),
                    "serving again only after");
        }
    }

    /** Drives the load through {@link #ROUNDS} restarts and 15 s outages of the server. */
    private static Observed underLoad(Http http, LocalPostgres pg, String schema) throws Exception {
        Account owner = Accounts.registerAndLogin(http, "outage-load");
        String[] auth = bearer(owner.accessToken());
        assertThat(http.get("/api/me", auth).status()).isEqualTo(200);

        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        List<Long> healthMillis = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        // set when the first 503 of an outage arrives, cleared when the database is back
        AtomicLong outageKnownSince = new AtomicLong(0);
        AtomicInteger seq = new AtomicInteger();
        ExecutorService load = Executors.newFixedThreadPool(5);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int worker = w;
            workers.add(load.submit(() -> {
                while (running.get()) {
                    boolean write = worker < 2;
                    String name = write ? "load-" + seq.incrementAndGet() : null;
                    boolean knownBefore = outageKnownSince.get() != 0;
                    long t0 = System.nanoTime();
                    Response r = write
                            ? http.post("/api/api-keys", Map.of("name", name, "scopes", List.of("users:read")), auth)
                            : http.get(worker == 2 ? "/api/users" : "/api/me", auth);
                    long millis = (System.nanoTime() - t0) / 1_000_000;
                    if (r.status() == 503) {
                        outageKnownSince.compareAndSet(0, System.nanoTime());
                    }
                    answers.add(new Answer(write ? "POST /api/api-keys" : "GET", name, r.status(),
                            r.status() == 503 && r.json().path("may_have_taken_effect").asBoolean(), millis,
                            knownBefore));
                }
                return null;
            }));
        }
        workers.add(load.submit(() -> {
            while (running.get()) {
                long t0 = System.nanoTime();
                http.get("/health");
                healthMillis.add((System.nanoTime() - t0) / 1_000_000);
                Thread.sleep(100);
            }
            return null;
        }));

        long recoveredMillis = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Thread.sleep(2_000);
            pg.restart(); // every connection ended; back once the server accepts connections again
            outageKnownSince.set(0);
            awaitServing(http, auth);
            Thread.sleep(2_000);
            pg.crash(); // stopped at once, for 15 s
            Thread.sleep(15_000);
            pg.startAgain();
            outageKnownSince.set(0);
            long back = System.nanoTime();
            awaitServing(http, auth);
            recoveredMillis = Math.max(recoveredMillis, (System.nanoTime() - back) / 1_000_000);
        }
        Thread.sleep(2_000);
        running.set(false);
        for (Future<?> f : workers) {
            f.get(60, TimeUnit.SECONDS);
        }
        load.shutdown();
        Set<String> stored = new HashSet<>(pg.jdbc(schema).queryForList("SELECT convert_from(payload, 'UTF8')::json "
                + "->> 'name' FROM domain_event_entry WHERE payload_type LIKE '%ApiKeyIssuedEvent'", String.class));
        return new Observed(new ArrayList<>(answers), stored, new ArrayList<>(healthMillis), recoveredMillis);
    }

    /** Each promise of the scenario the run broke, one line each. */
    static List<String> violations(Observed o) {
        List<String> out = new ArrayList<>();
        for (Answer a : o.answers()) {
            if (a.status() == 500) {
                out.add("a 500: " + a);
            } else if (a.status() >= 300 && a.status() != 503) {
                out.add("neither 2xx nor 503: " + a);
            }
            if (a.status() == 201 && !o.stored().contains(a.name())) {
                out.add("acknowledged but not stored: " + a.name());
            }
            if (a.name() != null && a.status() == 503 && o.stored().contains(a.name()) && !a.mayHaveTakenEffect()) {
                out.add("stored but answered as a plain failure: " + a.name());
            }
        }
        long p99 = o.p99(o.knownOutage503Millis());
        if (p99 >= 100) {
            out.add("p99 of the 503s during a known outage: " + p99 + " ms");
        }
        o.healthMillis().stream().filter(ms -> ms >= 1_000).forEach(ms -> out.add("/health took " + ms + " ms"));
        if (o.recoveredMillis() >= 10_000) {
            out.add("serving again only after " + o.recoveredMillis() + " ms");
        }
        return out;
    }

    private static Observed with(Observed o, Answer extra) {
        List<Answer> answers = new ArrayList<>(o.answers());
        answers.add(extra);
        return new Observed(answers, o.stored(), o.healthMillis(), o.recoveredMillis());
    }

    private static void assertReported(Observed clean, UnaryOperator<Observed> breakIt, String expected) {
        assertThat(violations(breakIt.apply(clean))).as("the checker reports: " + expected)
                .singleElement().asString().startsWith(expected);
    }

    private static void awaitServing(Http http, String[] auth) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> http.get("/api/users", auth).status() == 200);
    }
}
