package com.catalytic.query.usage;

import com.catalytic.api.usage.UsageQueries.EndpointUsage;
import com.catalytic.api.usage.UsageQueries.UsageLogView;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The SQL over {@code usage_logs}: totals per endpoint, hourly counts, and keyset pages of the log. */
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
                (rs, i) -> new EndpointUsage(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5)), tenantId, Timestamp.from(from), Timestamp.from(to));
    }

    /** Hourly buckets in [from, to), in no particular order (portable EXTRACT, so H2 runs it too). */
    public List<HourlyUsage> hourly(String tenantId, Instant from, Instant to) {
        List<HourlyUsage> out = new ArrayList<>();
        jdbc.query("SELECT EXTRACT(YEAR FROM occurred_at) AS y, EXTRACT(MONTH FROM occurred_at) AS mo, "
                        + "EXTRACT(DAY FROM occurred_at) AS d, EXTRACT(HOUR FROM occurred_at) AS h, COUNT(*), SUM(units) "
                        + "FROM usage_logs WHERE tenant_id = ? AND occurred_at >= ? AND occurred_at < ? "
                        + "GROUP BY EXTRACT(YEAR FROM occurred_at), EXTRACT(MONTH FROM occurred_at), "
                        + "EXTRACT(DAY FROM occurred_at), EXTRACT(HOUR FROM occurred_at)",
                rs -> {
                    out.add(new HourlyUsage(ZonedDateTime.of(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4),
                            0, 0, 0, ZoneOffset.UTC), rs.getLong(5), rs.getLong(6)));
                }, tenantId, Timestamp.from(from), Timestamp.from(to));
        return out;
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
        return jdbc.query(sql, (rs, i) -> new UsageLogView(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getInt(7), rs.getLong(8), rs.getLong(9),
                rs.getLong(10), rs.getTimestamp(11).toInstant()), args.toArray());
    }
}
