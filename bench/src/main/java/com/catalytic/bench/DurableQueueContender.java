package com.catalytic.bench;

import com.catalytic.infrastructure.queue.DurableQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** The write side's {@link DurableQueue}, set up as {@code WebhookDeliveries} sets it up. */
final class DurableQueueContender implements QueueContender {

    private static final Clock CLOCK = Clock.systemUTC();
    /** As WebhookDeliveries claims: 30 s, extended every 10 s while the round works. */
    private static final Duration CLAIM = Duration.ofSeconds(30);

    private final String name;
    private final int workers;
    private final int batch;
    private final Duration interval;

    /** @param batch rows claimed at a time; WebhookDeliveries claims eight per worker */
    DurableQueueContender(String name, int workers, int batch, Duration interval) {
        this.name = name;
        this.workers = workers;
        this.batch = batch;
        this.interval = interval;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void createTables(JdbcTemplate jdbc) {
        Deliveries.create(jdbc);
        jdbc.execute("CREATE INDEX ix_deliveries_due ON " + Deliveries.TABLE + " (next_attempt_at) WHERE "
                + Deliveries.PENDING);
    }

    @Override
    public void backlog(DataSource dataSource, int count) {
        Deliveries.insertAll(new JdbcTemplate(dataSource), count, CLOCK.instant());
    }

    @Override
    public Running start(DataSource dataSource, Consumer<String> work) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        DurableQueue queue = new DurableQueue("bench", jdbc, CLOCK, Deliveries.TABLE, Deliveries.PENDING, CLAIM,
                interval, batch, workers, ids -> id -> {
                    work.accept(id);
                    return true;
                });
        queue.start();
        // a backlog is worked on at once, not one interval after the start
        queue.wake();
        return new Started(jdbc, queue);
    }

    @Override
    public long leftOver(JdbcTemplate jdbc) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM " + Deliveries.TABLE + " WHERE claimed_by IS NOT NULL",
                Long.class);
        return n == null ? 0 : n;
    }

    private record Started(JdbcTemplate jdbc, DurableQueue queue) implements Running {

        @Override
        public void offer(int n) {
            Deliveries.insert(jdbc, n, CLOCK.instant());
            queue.wake();
        }

        @Override
        public void close() {
            queue.close();
        }
    }
}
