package com.catalytic.infrastructure.credentials;

import com.catalytic.api.apikey.ApiKeyUsageSink;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Remembers when each key was last used and writes those times in one batch per interval, so that a busy key costs
 * one database write per interval instead of one per request.
 */
public class ApiKeyUsageTracker {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyUsageTracker.class);

    private final ApiKeyUsageSink sink;
    private final Map<String, Instant> pending = new ConcurrentHashMap<>();

    public ApiKeyUsageTracker(ApiKeyUsageSink sink) {
        this.sink = sink;
    }

    public void touch(String keyId, Instant at) {
        pending.merge(keyId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    @PreDestroy
    public void flushOnShutdown() {
        flush();
    }

    @Scheduled(fixedDelayString = "${catalytic.api-keys.last-used-flush-interval:5000}")
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<String, Instant> batch = new HashMap<>();
        for (String keyId : pending.keySet()) {
            Instant at = pending.remove(keyId);
            if (at != null) {
                batch.put(keyId, at);
            }
        }
        try {
            sink.recordLastUsed(batch);
        } catch (RuntimeException e) {
            // put them back for the next flush; never lose the newer of two times
            batch.forEach(this::touch);
            log.warn("Could not record API key last-use times ({} keys): {}", batch.size(), e.toString());
        }
    }
}
