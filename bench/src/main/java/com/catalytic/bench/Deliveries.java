package com.catalytic.bench;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The delivery rows both queues work on, shaped like {@code webhook_deliveries}: the record a tenant is shown
 * (status, attempts), which the product keeps whichever queue schedules the work.
 */
final class Deliveries {

    static final String TABLE = "deliveries";
    static final String PENDING = "status = 'pending'";

    private static final int BATCH = 1_000;
    private static final String INSERT = "INSERT INTO " + TABLE + " (id, status, payload, attempts, next_attempt_at) "
            + "VALUES (?, 'pending', ?, 0, ?)";

    private Deliveries() {
    }

    /** Drops and creates the table, without the queue's index (only DurableQueue looks rows up by due time). */
    static void create(JdbcTemplate jdbc) {
        jdbc.execute("DROP TABLE IF EXISTS " + TABLE);
        jdbc.execute("CREATE TABLE " + TABLE + " (id VARCHAR(64) PRIMARY KEY, status VARCHAR(16) NOT NULL, "
                + "payload VARCHAR(1000000) NOT NULL, attempts INT NOT NULL, "
                + "next_attempt_at TIMESTAMP WITH TIME ZONE, claimed_by VARCHAR(64), "
                + "claimed_until TIMESTAMP WITH TIME ZONE, completed_at TIMESTAMP WITH TIME ZONE)");
    }

    /** Ids as long as the product's ({@code whd_} and 40 characters), numbered from 0. */
    static String id(int n) {
        return String.format("whd_%040d", n);
    }

    static int number(String id) {
        return Integer.parseInt(id.substring(4));
    }

    /** Delivery {@code n}, due now. */
    static void insert(JdbcTemplate jdbc, int n, Instant now) {
        jdbc.update(INSERT, id(n), payload(n), Timestamp.from(now));
    }

    /** Deliveries 0 to {@code count - 1}, all due now, in batches. */
    static void insertAll(JdbcTemplate jdbc, int count, Instant now) {
        Timestamp due = Timestamp.from(now);
        for (int from = 0; from < count; from += BATCH) {
            List<Object[]> rows = new ArrayList<>();
            for (int n = from; n < Math.min(count, from + BATCH); n++) {
                rows.add(new Object[] {id(n), payload(n), due});
            }
            jdbc.batchUpdate(INSERT, rows);
        }
    }

    /** {@code count} deliveries done before, numbered from {@code first}: the history a table in use holds. */
    static void insertHistory(JdbcTemplate jdbc, int first, int count) {
        jdbc.update("INSERT INTO " + TABLE + " (id, status, payload, attempts, completed_at) SELECT "
                + "'whd_' || lpad(n::text, 40, '0'), 'succeeded', repeat('x', 400), 1, now() - interval '1 day' "
                + "FROM generate_series(?, ?) n", first, first + count - 1);
    }

    /** About 400 bytes of JSON, shaped like a webhook body. */
    static String payload(int n) {
        return String.format("{\"id\":\"evt_%032d\",\"type\":\"api_key.issued\","
                + "\"created_at\":\"2026-12-03T12:00:00Z\",\"tenant_id\":\"ten_0123456789abcdef0123456789abcdef\","
                + "\"data\":{\"api_key_id\":\"key_%032d\",\"name\":\"deployment pipeline of the staging environment\","
                + "\"scopes\":[\"lattices:read\",\"lattices:write\",\"usage:read\"],\"expires_at\":null,"
                + "\"issued_by\":\"usr_0123456789abcdef0123456789abcdef\"}}", n, n);
    }
}
