package com.catalytic.projections.usage;

import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.projections.StoredPayloads;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.axonframework.serialization.SerializedType;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The writes of the usage projection: each call becomes a {@code usage_logs} row, and only a call stored for the
 * first time is added to its hour in {@code usage_rollups}, so a redelivered call counts once in both. Both happen in
 * the caller's transaction. On PostgreSQL one statement per batch does both (the insert's RETURNING feeds the
 * upsert); elsewhere (the embedded H2 default) the insert's update counts say which calls are new.
 */
final class UsageTables {

    /** One metered call of a tenant. */
    record Call(String tenantId, UsageRecord record) {
    }

    private record HourKey(String tenantId, Instant hourStart, String endpoint, String method)
            implements Comparable<HourKey> {
        @Override
        public int compareTo(HourKey o) {
            int c = tenantId.compareTo(o.tenantId);
            c = c != 0 ? c : hourStart.compareTo(o.hourStart);
            c = c != 0 ? c : endpoint.compareTo(o.endpoint);
            return c != 0 ? c : method.compareTo(o.method);
        }
    }

    static final int MAX_ENDPOINT = 200;
    private static final int CHUNK = 1_000;

    /** A batch of calls as arrays, one per column, into usage_logs. */
    private static final String INSERT_ARRAYS = "INSERT INTO usage_logs (id, tenant_id, user_id, api_key_id, "
            + "endpoint, method, status, duration_ms, bytes, units, occurred_at, request_id) "
            + "SELECT id, tenant_id, user_id, api_key_id, endpoint, method, status, duration_ms, bytes, units, "
            + "occurred_at::timestamptz, request_id FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], "
            + "?::varchar[], ?::varchar[], ?::varchar[], ?::int[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], "
            + "?::varchar[]) AS c(id, tenant_id, user_id, api_key_id, endpoint, method, status, duration_ms, bytes, "
            + "units, occurred_at, request_id)";

    /** A call's hour, as the roll-ups count it: calls, units, errors per tenant, hour, endpoint and method. */
    private static final String HOURS = "SELECT tenant_id, date_trunc('hour', occurred_at, 'UTC'), endpoint, method, "
            + "COUNT(*), SUM(units), COUNT(*) FILTER (WHERE status >= 400) FROM %s GROUP BY 1, 2, 3, 4";

    private static final String POSTGRES_WRITE = "WITH new_calls AS (" + INSERT_ARRAYS
            + " ON CONFLICT DO NOTHING RETURNING tenant_id, endpoint, method, status, units, occurred_at) "
            + "INSERT INTO usage_rollups (tenant_id, hour_start, endpoint, method, calls, units, errors) "
            + HOURS.formatted("new_calls")
            // one lock order for every writer: two batches adding to the same hours never deadlock
            + " ORDER BY 1, 2, 3, 4 "
            + "ON CONFLICT (tenant_id, hour_start, endpoint, method) DO UPDATE SET "
            + "calls = usage_rollups.calls + EXCLUDED.calls, units = usage_rollups.units + EXCLUDED.units, "
            + "errors = usage_rollups.errors + EXCLUDED.errors";

    /** The hours a batch of new calls adds to, one row each: its calls, units and errors added. */
    private static final String ADD_HOURS = "INSERT INTO usage_rollups (tenant_id, hour_start, endpoint, method, "
            + "calls, units, errors) SELECT * FROM unnest(?::varchar[], ?::timestamptz[], ?::varchar[], ?::varchar[], "
            + "?::bigint[], ?::bigint[], ?::bigint[]) ORDER BY 1, 2, 3, 4 "
            + "ON CONFLICT (tenant_id, hour_start, endpoint, method) DO UPDATE SET "
            + "calls = usage_rollups.calls + EXCLUDED.calls, units = usage_rollups.units + EXCLUDED.units, "
            + "errors = usage_rollups.errors + EXCLUDED.errors";

    // a plain VALUES insert: ON CONFLICT DO NOTHING (the primary key is the only unique index) skips a stored call
    private static final String PORTABLE_INSERT = "INSERT INTO usage_logs (id, tenant_id, user_id, api_key_id, "
            + "endpoint, method, status, duration_ms, bytes, units, occurred_at, request_id) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    private static final String PORTABLE_ADD = "MERGE INTO usage_rollups r USING (VALUES (CAST(? AS VARCHAR(64)), "
            + "CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(10)), "
            + "CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))) "
            + "AS s (tenant_id, hour_start, endpoint, method, calls, units, errors) "
            + "ON r.tenant_id = s.tenant_id AND r.hour_start = s.hour_start AND r.endpoint = s.endpoint "
            + "AND r.method = s.method "
            + "WHEN MATCHED THEN UPDATE SET calls = r.calls + s.calls, units = r.units + s.units, "
            + "errors = r.errors + s.errors "
            + "WHEN NOT MATCHED THEN INSERT (tenant_id, hour_start, endpoint, method, calls, units, errors) "
            + "VALUES (s.tenant_id, s.hour_start, s.endpoint, s.method, s.calls, s.units, s.errors)";

    /** A rebuild's copy of calls into usage_logs, the columns in the order {@link #copy} writes them. */
    private static final String COPY_LOGS = "COPY usage_logs (id, tenant_id, user_id, api_key_id, endpoint, method, "
            + "status, duration_ms, bytes, units, occurred_at, request_id) FROM STDIN (FORMAT binary)";

    /** Stored events a rebuild's load reads at most at a time (a few megabytes of payloads of single calls). */
    private static final int LOAD_PAGE = 5_000;

    /**
     * Payload bytes after which a page ends early, and the events fetched a round trip: a busy tenant's batch holds up
     * to a thousand calls (about 300 KB), so a page of them is cut short, not held whole in memory.
     */
    private static final int LOAD_PAGE_BYTES = 16 << 20;
    private static final int LOAD_FETCH = 250;

    /**
     * The next stored usage events of both forms in a range of positions and, when given, up to a time stamp (the
     * event store's format), in order; the metadata only of the form that keeps the request id there.
     */
    private static final String STORED = "SELECT global_index, payload_type, payload, "
            + "CASE WHEN payload_type = ? THEN meta_data END "
            + "FROM domain_event_entry WHERE global_index > ? AND global_index <= ? "
            + "AND (payload_type = ? AND payload_revision IS NOT DISTINCT FROM ? "
            + "OR payload_type = ? AND payload_revision IS NOT DISTINCT FROM ?) "
            + "AND (CAST(? AS text) IS NULL OR time_stamp COLLATE \"C\" <= ?) ORDER BY global_index LIMIT " + LOAD_PAGE;

    /** One stored usage event, as read for a load. */
    private record Stored(long position, String type, byte[] payload, byte[] metaData) {
    }

    /** What PostgreSQL reports when a unique index cannot be built over the rows. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final JdbcTemplate jdbc;
    private final boolean postgres;

    UsageTables(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.postgres = "PostgreSQL".equals(
                jdbc.execute((ConnectionCallback<String>) c -> c.getMetaData().getDatabaseProductName()));
    }

    /** Stores the calls not stored yet and adds them to their hours. */
    void write(Collection<Call> calls) {
        if (calls.isEmpty()) {
            return;
        }
        // a call delivered twice within one batch is one call
        Map<String, Call> distinct = new LinkedHashMap<>();
        calls.forEach(c -> distinct.putIfAbsent(c.record().usageId(), c));
        List<Call> all = new ArrayList<>(distinct.values());
        for (int i = 0; i < all.size(); i += CHUNK) {
            List<Call> chunk = all.subList(i, Math.min(all.size(), i + CHUNK));
            if (postgres) {
                writePostgres(chunk);
            } else {
                writePortable(chunk);
            }
        }
    }

    void clear() {
        jdbc.update("DELETE FROM usage_rollups");
        jdbc.update("DELETE FROM usage_logs");
    }

    /**
     * Readies the empty tables of a rebuild for {@link #insertFromStore}: the calls go into {@code usage_logs}
     * without its key and {@code usage_rollups} stays empty, and {@link #finishLoad} builds the key and the
     * roll-ups after them in one pass each (the key checked for every call and the roll-ups' upsert were most of the
     * database's work per call). In the caller's transaction.
     */
    static void prepareLoad(Connection c) throws SQLException {
        dropKey(c, "usage_logs");
        dropKey(c, "usage_rollups");
    }

    /**
     * Inserts every call of the stored usage events of both forms with positions in ({@code after}, {@code upTo}],
     * as {@link #write} would store it: the payloads read as the handlers read them and copied in, page by page (the
     * server parsing each payload's JSON and each row's text was most of a rebuild's database work); returns the rows
     * inserted.
     */
    static long insertFromStore(Connection c, StoredPayloads stored, long after, long upTo, String asOf)
            throws SQLException {
        SerializedType batches = stored.type(UsageRecordedBatchEvent.class);
        SerializedType calls = stored.type(UsageRecordedEvent.class);
        CopyManager copies = c.unwrap(PGConnection.class).getCopyAPI();
        BatchScan scan = new BatchScan();
        long rows = 0;
        try (PreparedStatement ps = c.prepareStatement(STORED)) {
            // the payloads in binary from the first page on: as text they would be hex, twice the bytes
            ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
            ps.setFetchSize(LOAD_FETCH);
            ps.setString(1, calls.getName());
            ps.setLong(3, upTo);
            ps.setString(4, batches.getName());
            ps.setString(5, batches.getRevision());
            ps.setString(6, calls.getName());
            ps.setString(7, calls.getRevision());
            ps.setString(8, asOf);
            ps.setString(9, asOf);
            long position = after;
            while (true) {
                ps.setLong(2, position);
                List<Stored> page = new ArrayList<>();
                long bytes = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (bytes < LOAD_PAGE_BYTES && rs.next()) {
                        Stored e = new Stored(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4));
                        bytes += e.payload().length;
                        page.add(e);
                    }
                }
                if (page.isEmpty()) {
                    return rows;
                }
                position = page.get(page.size() - 1).position();
                rows += copy(copies, page, batches.getName(), stored, scan);
            }
        }
    }

    /** Copies the calls of these stored events into usage_logs; returns the rows copied. */
    private static long copy(CopyManager copies, List<Stored> page, String batchType, StoredPayloads stored,
                             BatchScan scan) throws SQLException {
        CopyIn in = copies.copyIn(COPY_LOGS);
        try {
            BinaryCopy out = new BinaryCopy(in);
            for (Stored e : page) {
                try {
                    if (batchType.equals(e.type()) && scan.scan(e.payload())) {
                        scan.copyTo(out);
                    } else if (batchType.equals(e.type())) {
                        UsageRecordedBatchEvent batch = stored.read(e.payload(), UsageRecordedBatchEvent.class);
                        for (UsageRecord r : batch.records()) {
                            copy(out, batch.tenantId(), r);
                        }
                    } else {
                        // the form before batching: its request id in the metadata, as the handler takes it
                        UsageRecordedEvent call = stored.read(e.payload(), UsageRecordedEvent.class);
                        Object requestId = stored.read(e.metaData(), Map.class).get("request_id");
                        copy(out, call.tenantId(), new UsageRecord(call.usageId(), call.userId(), call.apiKeyId(),
                                call.endpoint(), call.method(), call.status(), call.durationMs(), call.bytes(),
                                call.units(), call.occurredAt(), requestId == null ? null : requestId.toString(),
                                null));
                    }
                } catch (IOException ex) {
                    throw new SQLException("the usage event at position " + e.position() + " cannot be read", ex);
                }
            }
            out.end();
            return in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** One call as a usage_logs row, its columns as {@link #COPY_LOGS} lists them. */
    private static void copy(BinaryCopy out, String tenantId, UsageRecord r) throws SQLException {
        out.row(12);
        out.text(r.usageId());
        out.text(tenantId);
        out.text(r.userId());
        out.text(r.apiKeyId());
        out.text(r.endpoint() == null ? null : endpoint(r));
        out.text(r.method());
        out.int4(r.status());
        out.int8(r.durationMs());
        out.int8(r.bytes());
        out.int8(r.units());
        out.timestamp(r.occurredAt());
        out.text(r.requestId());
    }

    /**
     * Builds the key of {@code usage_logs} and fills {@code usage_rollups} once the calls are in. A call stored twice
     * (rare: a journal shipped again, its copies equal) keeps one row, as the live writes' {@code ON CONFLICT DO
     * NOTHING} does: found when the key cannot be built, so the common case pays no extra pass. The key starts as a
     * unique index, which lets other connections build the table's other indexes meanwhile; only making it the key
     * at the end locks the table. In the caller's transaction; returns the rows removed.
     */
    static long finishLoad(Connection c) throws SQLException {
        long removed = 0;
        try (Statement s = c.createStatement()) {
            Savepoint loaded = c.setSavepoint();
            try {
                s.execute("CREATE UNIQUE INDEX " + key("usage_logs") + " ON usage_logs (id)");
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(loaded);
                removed = s.executeLargeUpdate("DELETE FROM usage_logs d USING (SELECT ctid, row_number() OVER "
                        + "(PARTITION BY id ORDER BY ctid) AS n FROM usage_logs WHERE id IN (SELECT id FROM usage_logs "
                        + "GROUP BY id HAVING COUNT(*) > 1)) x WHERE d.ctid = x.ctid AND x.n > 1");
                s.execute("CREATE UNIQUE INDEX " + key("usage_logs") + " ON usage_logs (id)");
            }
            // filled without its key, then keyed in one sorted pass: 4.3 s against 7.6 s for a million calls
            s.executeLargeUpdate("INSERT INTO usage_rollups (tenant_id, hour_start, endpoint, method, calls, units, "
                    + "errors) " + HOURS.formatted("usage_logs"));
            s.execute("ALTER TABLE usage_rollups ADD CONSTRAINT " + key("usage_rollups")
                    + " PRIMARY KEY (tenant_id, hour_start, endpoint, method)");
            s.execute("ALTER TABLE usage_logs ADD CONSTRAINT " + key("usage_logs") + " PRIMARY KEY USING INDEX "
                    + key("usage_logs"));
        }
        return removed;
    }

    /** The name PostgreSQL gives the table's primary key (the migrations create both tables with one). */
    private static String key(String table) {
        return table + "_pkey";
    }

    /** Drops the table's primary key (the table the search path finds), named as {@link #key} says. */
    private static void dropKey(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT conname FROM pg_constraint WHERE conrelid = "
                + "?::regclass AND contype = 'p'")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !key(table).equals(rs.getString(1))) {
                    throw new IllegalStateException(table + " has no primary key named " + key(table)
                            + " to drop for a bulk load");
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + key(table));
        }
    }

    /**
     * Copies the calls in ({@code COPY}, binary) and adds them to their hours with one small upsert: no check per
     * call for a stored copy, which is the common case. A call stored already fails the copy (the key), and the
     * batch is then written by the statement that skips stored calls, from a savepoint taken before the copy. Outside
     * a transaction (no savepoint to return to), always that statement.
     */
    private void writePostgres(List<Call> calls) {
        jdbc.execute((ConnectionCallback<Void>) c -> {
            if (c.getAutoCommit()) {
                writeSkippingStored(c, calls);
                return null;
            }
            Savepoint before = c.setSavepoint();
            try {
                copyCalls(c, calls);
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(before); // a replay or a journal shipped again: only the calls not stored yet
                writeSkippingStored(c, calls);
                return null;
            }
            c.releaseSavepoint(before);
            addHours(c, hours(calls));
            return null;
        });
    }

    private static void copyCalls(Connection c, List<Call> calls) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_LOGS);
        try {
            BinaryCopy out = new BinaryCopy(in);
            for (Call call : calls) {
                copy(out, call.tenantId(), call.record());
            }
            out.end();
            in.endCopy();
        } catch (SQLException | RuntimeException e) {
            // the copy's own failure (a stored call's key) is what decides the fallback, not its cancelling
            if (in.isActive()) {
                try {
                    in.cancelCopy();
                } catch (SQLException cancelled) {
                    e.addSuppressed(cancelled);
                }
            }
            throw e;
        }
    }

    private static void addHours(Connection c, Map<HourKey, long[]> hours) throws SQLException {
        int n = hours.size();
        String[] tenants = new String[n];
        String[] starts = new String[n];
        String[] endpoints = new String[n];
        String[] methods = new String[n];
        Long[] calls = new Long[n];
        Long[] units = new Long[n];
        Long[] errors = new Long[n];
        int i = 0;
        for (Map.Entry<HourKey, long[]> h : hours.entrySet()) {
            tenants[i] = h.getKey().tenantId();
            starts[i] = h.getKey().hourStart().toString();
            endpoints[i] = h.getKey().endpoint();
            methods[i] = h.getKey().method();
            calls[i] = h.getValue()[0];
            units[i] = h.getValue()[1];
            errors[i] = h.getValue()[2];
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement(ADD_HOURS)) {
            ps.setArray(1, array(c, "varchar", tenants));
            ps.setArray(2, array(c, "text", starts));
            ps.setArray(3, array(c, "varchar", endpoints));
            ps.setArray(4, array(c, "varchar", methods));
            ps.setArray(5, array(c, "int8", calls));
            ps.setArray(6, array(c, "int8", units));
            ps.setArray(7, array(c, "int8", errors));
            ps.executeUpdate();
        }
    }

    /** The calls, added up by the hour they count in: calls, units, errors. */
    private static Map<HourKey, long[]> hours(List<Call> calls) {
        Map<HourKey, long[]> hours = new TreeMap<>();
        calls.forEach(call -> addToHour(hours, call));
        return hours;
    }

    /**
     * Adds the call to its hour: that of its time stamp as stored (to the microsecond, as {@link BinaryCopy} and the
     * server round it), as {@code date_trunc('hour', occurred_at, 'UTC')} finds it.
     */
    private static void addToHour(Map<HourKey, long[]> hours, Call call) {
        UsageRecord r = call.record();
        long[] sums = hours.computeIfAbsent(new HourKey(call.tenantId(),
                BinaryCopy.stored(r.occurredAt()).truncatedTo(ChronoUnit.HOURS), endpoint(r), r.method()),
                k -> new long[3]);
        sums[0]++;
        sums[1] += r.units();
        sums[2] += r.status() >= 400 ? 1 : 0;
    }

    /** The statement that stores only the calls not stored yet and adds only those to their hours. */
    private static void writeSkippingStored(Connection c, List<Call> calls) throws SQLException {
        int n = calls.size();
        String[] ids = new String[n];
        String[] tenants = new String[n];
        String[] users = new String[n];
        String[] keys = new String[n];
        String[] endpoints = new String[n];
        String[] methods = new String[n];
        Integer[] statuses = new Integer[n];
        Long[] durations = new Long[n];
        Long[] bytes = new Long[n];
        Long[] units = new Long[n];
        String[] times = new String[n];
        String[] requests = new String[n];
        for (int i = 0; i < n; i++) {
            UsageRecord r = calls.get(i).record();
            ids[i] = r.usageId();
            tenants[i] = calls.get(i).tenantId();
            users[i] = r.userId();
            keys[i] = r.apiKeyId();
            endpoints[i] = endpoint(r);
            methods[i] = r.method();
            statuses[i] = r.status();
            durations[i] = r.durationMs();
            bytes[i] = r.bytes();
            units[i] = r.units();
            times[i] = r.occurredAt().toString();
            requests[i] = r.requestId();
        }
        try (PreparedStatement ps = c.prepareStatement(POSTGRES_WRITE)) {
            ps.setArray(1, array(c, "varchar", ids));
            ps.setArray(2, array(c, "varchar", tenants));
            ps.setArray(3, array(c, "varchar", users));
            ps.setArray(4, array(c, "varchar", keys));
            ps.setArray(5, array(c, "varchar", endpoints));
            ps.setArray(6, array(c, "varchar", methods));
            ps.setArray(7, array(c, "int4", statuses));
            ps.setArray(8, array(c, "int8", durations));
            ps.setArray(9, array(c, "int8", bytes));
            ps.setArray(10, array(c, "int8", units));
            ps.setArray(11, array(c, "text", times));
            ps.setArray(12, array(c, "varchar", requests));
            ps.executeUpdate();
        }
    }

    private static Array array(Connection c, String type, Object[] values) throws SQLException {
        return c.createArrayOf(type, values);
    }

    private void writePortable(List<Call> calls) {
        int[][] counts = jdbc.batchUpdate(PORTABLE_INSERT, calls, calls.size(), (ps, call) -> {
            UsageRecord e = call.record();
            ps.setString(1, e.usageId());
            ps.setString(2, call.tenantId());
            ps.setString(3, e.userId());
            ps.setString(4, e.apiKeyId());
            ps.setString(5, endpoint(e));
            ps.setString(6, e.method());
            ps.setInt(7, e.status());
            ps.setLong(8, e.durationMs());
            ps.setLong(9, e.bytes());
            ps.setLong(10, e.units());
            ps.setTimestamp(11, Timestamp.from(e.occurredAt()));
            ps.setString(12, e.requestId());
        });
        Map<HourKey, long[]> hours = new TreeMap<>();
        for (int i = 0; i < calls.size(); i++) {
            int count = counts[0][i];
            if (count < 0) {
                throw new IllegalStateException("the database did not say which usage rows are new (count " + count
                        + "): usage_rollups cannot be kept exact");
            }
            if (count > 0) {
                addToHour(hours, calls.get(i));
            }
        }
        jdbc.batchUpdate(PORTABLE_ADD, new ArrayList<>(hours.entrySet()), Math.max(1, hours.size()), (ps, h) -> {
            ps.setString(1, h.getKey().tenantId());
            ps.setTimestamp(2, Timestamp.from(h.getKey().hourStart()));
            ps.setString(3, h.getKey().endpoint());
            ps.setString(4, h.getKey().method());
            ps.setLong(5, h.getValue()[0]);
            ps.setLong(6, h.getValue()[1]);
            ps.setLong(7, h.getValue()[2]);
        });
    }

    private static String endpoint(UsageRecord r) {
        return r.endpoint().length() > MAX_ENDPOINT ? r.endpoint().substring(0, MAX_ENDPOINT) : r.endpoint();
    }
}
