package com.catalytic.deploy.health;

import com.catalytic.infrastructure.store.KeyValueStore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /health}: 200 {@code healthy} (or {@code degraded} when only Redis is down — requests keep flowing),
 * 503 {@code unhealthy} when the database does not answer; within a second whatever the state of either.
 */
@RestController
class HealthController {

    /** How long /health waits for its dependencies' answers: it answers within a second whatever their state. */
    static final Duration BUDGET = Duration.ofMillis(800);

    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "health-probe");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final DatabaseProbe database;
    private final KeyValueStore keyValueStore;
    private final Clock clock;

    HealthController(DatabaseProbe database, KeyValueStore keyValueStore, Clock clock) {
        this.database = database;
        this.keyValueStore = keyValueStore;
        this.clock = clock;
    }

    @GetMapping("/health")
    public ResponseEntity<Map<String, Object>> health() {
        long deadline = System.nanoTime() + BUDGET.toNanos();
        // both asked at once, each answer awaited until the one deadline: the answer comes within a second
        CompletableFuture<Void> db = ask("database", database::check);
        CompletableFuture<Void> redis = keyValueStore.isShared()
                ? ask("redis", () -> keyValueStore.exists("health:probe")) : null;
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean dbUp = await(checks, "database", db, deadline);
        boolean redisUp = redis != null ? await(checks, "redis", redis, deadline) : embedded(checks);
        String status = !dbUp ? "unhealthy" : redisUp ? "healthy" : "degraded";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("timestamp", clock.instant().toString());
        body.put("checks", checks);
        return ResponseEntity.status(dbUp ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    private interface Probe {
        void run() throws Exception;
    }

    /** The dependency's probe: the one still running if there is one (a hung dependency holds one thread). */
    private CompletableFuture<Void> ask(String name, Probe probe) {
        return inFlight.compute(name, (k, running) -> running != null && !running.isDone() ? running
                : CompletableFuture.runAsync(() -> {
                    try {
                        probe.run();
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }, probes));
    }

    private static boolean await(Map<String, Object> checks, String name, CompletableFuture<Void> probe,
                                 long deadline) {
        long start = System.nanoTime();
        Map<String, Object> result = new LinkedHashMap<>();
        boolean up = false;
        try {
            probe.get(Math.max(0, deadline - start), TimeUnit.NANOSECONDS);
            up = true;
            result.put("status", "up");
        } catch (TimeoutException e) {
            result.put("status", "down");
            result.put("error", "no answer within " + BUDGET.toMillis() + " ms");
        } catch (ExecutionException e) {
            result.put("status", "down");
            result.put("error", e.getCause().getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.put("status", "down");
            result.put("error", "interrupted");
        }
        result.put("latency_ms", (System.nanoTime() - start) / 1_000_000);
        checks.put(name, result);
        return up;
    }

    private boolean embedded(Map<String, Object> checks) {
        checks.put("redis", Map.of("status", "up", "mode", "in-process"));
        return true;
    }
}
