package com.catalytic.query.usage;

import com.catalytic.api.usage.UsageQueries.EndpointUsage;
import com.catalytic.api.usage.UsageQueries.UsageLogView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The SQL over {@code usage_logs} (totals per endpoint, hourly counts, keyset pages of the log) and over its hourly
 * roll-up {@code usage_rollups} (the same totals and counts for whole hours).
 */
@Component
class UsageLogRepository {

    /** Calls and units of the hour that starts at {@code hour}. */
    public record HourlyUsage(ZonedDateTime hour, long calls, long units) {
    }

    private final JdbcTemplate jdbc;

    public UsageLogRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Calls, units and errors per endpoint and method in [from, to), most called first. */
    public List<EndpointUsage> byEndpoint(String tenantId, Instant from, Instant to) {
        return jdbc.query("SELECT endpoint, method, COUNT(*) AS calls, SUM(units) AS units, "
                        + "SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors FROM usage_logs "
                        + "WHERE tenant_id = ? AND occurred_at >= ? AND occurred_at < ? GROUP BY endpoint, method "
                        + "ORDER BY calls DESC, endpoint, method",
                (rs, i) -> endpointUsage(rs), tenantId, Timestamp.from(from), Timestamp.from(to));
    }

    /** Hourly buckets in [from, to), in no particular order (portable EXTRACT, so H2 runs it too). */
    public List<HourlyUsage> hourly(String tenantId, Instant from, Instant to) {
        List<HourlyUsage> out = new ArrayList<>();
        jdbc.query("SELECT EXTRACT(YEAR FROM occurred_at) AS y, EXTRACT(MONTH FROM occurred_at) AS mo, "
                        + "EXTRACT(DAY FROM occurred_at) AS d, EXTRACT(HOUR FROM occurred_at) AS h, COUNT(*) AS calls, "
                        + "SUM(units) AS units "
                        + "FROM usage_logs WHERE tenant_id = ? AND occurred_at >= ? AND occurred_at < ? "
                        + "GROUP BY EXTRACT(YEAR FROM occurred_at), EXTRACT(MONTH FROM occurred_at), "
                        + "EXTRACT(DAY FROM occurred_at), EXTRACT(HOUR FROM occurred_at)",
                rs -> {
                    out.add(hourlyUsage(rs));
                }, tenantId, Timestamp.from(from), Timestamp.from(to));
        return out;
    }

    /** Calls, units and errors per endpoint and method in the whole hours [from, to), from the roll-up. */
    public List<EndpointUsage> byEndpointInHours(String tenantId, Instant from, Instant to) {
        return jdbc.query("SELECT endpoint, method, SUM(calls) AS calls, SUM(units) AS units, SUM(errors) AS errors "
                        + "FROM usage_rollups WHERE tenant_id = ? AND hour_start >= ? AND hour_start < ? "
                        + "GROUP BY endpoint, method",
                (rs, i) -> endpointUsage(rs), tenantId, Timestamp.from(from), Timestamp.from(to));
    }

    /** Hourly buckets in the whole hours [from, to), from the roll-up, in no particular order. */
    public List<HourlyUsage> hourlyInHours(String tenantId, Instant from, Instant to) {
        return jdbc.query("SELECT hour_start, SUM(calls) AS calls, SUM(units) AS units FROM usage_rollups "
                        + "WHERE tenant_id = ? AND hour_start >= ? AND hour_start < ? GROUP BY hour_start",
                (rs, i) -> new HourlyUsage(rs.getTimestamp("hour_start").toInstant().atZone(ZoneOffset.UTC),
                        rs.getLong("calls"), rs.getLong("units")),
                tenantId, Timestamp.from(from), Timestamp.from(to));
    }

    /** At most {@code limit} calls newest first, before ({@code beforeTime}, {@code beforeId}) when given. */
    public List<UsageLogView> newestFirst(String tenantId, Instant beforeTime, String beforeId, int limit) {
        String sql = "SELECT id, request_id, user_id, api_key_id, endpoint, method, status, duration_ms, bytes, units, "
                + "occurred_at "
                + "FROM usage_logs WHERE tenant_id = ? "
                + (beforeTime != null ? "AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) " : "")
                + "ORDER BY occurred_at DESC, id DESC LIMIT ?";
        List<Object> args = new ArrayList<>(List.of(tenantId));
        if (beforeTime != null) {
            Timestamp t = Timestamp.from(beforeTime);
            args.addAll(List.of(t, t, beforeId));
        }
        args.add(limit);
        return jdbc.query(sql, (rs, i) -> usageLog(rs), args.toArray());
    }

    /** At most {@code limit} calls in [{@code from}, {@code to}) oldest first, after ({@code afterTime}, {@code afterId}). */
    public List<UsageLogView> oldestFirst(String tenantId, Instant from, Instant to, Instant afterTime, String afterId,
                                          int limit) {
        String sql = "SELECT id, request_id, user_id, api_key_id, endpoint, method, status, duration_ms, bytes, units, "
                + "occurred_at FROM usage_logs WHERE tenant_id = ? AND occurred_at >= ? AND occurred_at < ? "
                + (afterTime != null ? "AND (occurred_at > ? OR (occurred_at = ? AND id > ?)) " : "")
                + "ORDER BY occurred_at, id LIMIT ?";
        List<Object> args = new ArrayList<>(List.of(tenantId, Timestamp.from(from), Timestamp.from(to)));
        if (afterTime != null) {
            Timestamp t = Timestamp.from(afterTime);
            args.addAll(List.of(t, t, afterId));
        }
        args.add(limit);
        return jdbc.query(sql, (rs, i) -> usageLog(rs), args.toArray());
    }

    private static EndpointUsage endpointUsage(ResultSet rs) throws SQLException {
        return new EndpointUsage(rs.getString("endpoint"), rs.getString("method"), rs.getLong("calls"),
                rs.getLong("units"), rs.getLong("errors"));
    }

    private static HourlyUsage hourlyUsage(ResultSet rs) throws SQLException {
        ZonedDateTime hour = ZonedDateTime.of(rs.getInt("y"), rs.getInt("mo"), rs.getInt("d"), rs.getInt("h"), 0, 0,
                0, ZoneOffset.UTC);
        return new HourlyUsage(hour, rs.getLong("calls"), rs.getLong("units"));
    }

    private static UsageLogView usageLog(ResultSet rs) throws SQLException {
        return new UsageLogView(rs.getString("id"), rs.getString("request_id"), rs.getString("user_id"),
                rs.getString("api_key_id"), rs.getString("endpoint"), rs.getString("method"), rs.getInt("status"),
                rs.getLong("duration_ms"), rs.getLong("bytes"), rs.getLong("units"),
                rs.getTimestamp("occurred_at").toInstant());
    }
}
