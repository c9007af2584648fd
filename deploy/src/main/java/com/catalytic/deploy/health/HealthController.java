package com.catalytic.deploy.health;

import com.catalytic.infrastructure.store.KeyValueStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /health}: 200 {@code healthy} (or {@code degraded} when only Redis is down — requests keep flowing),
 * 503 {@code unhealthy} when the database does not answer.
 */
@RestController
class HealthController {

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
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean dbUp = check(checks, "database", database::check);
        boolean redisUp = keyValueStore.isShared()
                ? check(checks, "redis", () -> keyValueStore.exists("health:probe"))
                : embedded(checks);
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

    private boolean check(Map<String, Object> checks, String name, Probe probe) {
        long start = System.nanoTime();
        Map<String, Object> result = new LinkedHashMap<>();
        boolean up;
        try {
            probe.run();
            up = true;
            result.put("status", "up");
        } catch (Exception e) {
            up = false;
            result.put("status", "down");
            result.put("error", e.getClass().getSimpleName());
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
