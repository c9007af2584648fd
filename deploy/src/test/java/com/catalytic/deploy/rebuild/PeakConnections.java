package com.catalytic.deploy.rebuild;

import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Watches {@code pg_stat_activity} on a thread of its own and keeps the most connections seen at once under one
 * application name matching a pattern (a rebuild names all of its connections after its target schema).
 */
final class PeakConnections implements AutoCloseable {

    private final AtomicInteger peak = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile RuntimeException failure;

    PeakConnections(JdbcTemplate jdbc, String applicationNamePattern) {
        thread = new Thread(() -> {
            try {
                while (!stopped) {
                    Integer now = jdbc.queryForObject("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n "
                            + "FROM pg_stat_activity WHERE application_name LIKE ? GROUP BY application_name) c",
                            Integer.class, applicationNamePattern);
                    peak.accumulateAndGet(now, Math::max);
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }, "peak-connections");
        thread.setDaemon(true);
        thread.start();
    }

    int peak() {
        if (failure != null) {
            throw failure;
        }
        return peak.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join();
    }
}
