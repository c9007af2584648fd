package com.catalytic.query.usage;

import com.catalytic.api.usage.UsageQueries.EndpointUsage;
import com.catalytic.api.usage.UsageQueries.Granularity;
import com.catalytic.api.usage.UsageQueries.SeriesPoint;
import com.catalytic.api.usage.UsageQueries.UsageLogView;
import com.catalytic.api.usage.UsageQueries.UsageLogsQuery;
import com.catalytic.api.usage.UsageQueries.UsageReport;
import com.catalytic.api.usage.UsageQueries.UsageReportQuery;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Usage reports and logs from {@code usage_logs}, always within one tenant. */
@Component
public class UsageQueryHandlers {

    private final JdbcTemplate jdbc;

    public UsageQueryHandlers(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @QueryHandler
    public UsageReport handle(UsageReportQuery q) {
        Timestamp from = Timestamp.from(q.from());
        Timestamp to = Timestamp.from(q.to());
        List<EndpointUsage> byEndpoint = jdbc.query("SELECT endpoint, method, COUNT(*) AS calls, SUM(units) AS units, "
                        + "SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors FROM usage_logs "
                        + "WHERE tenant_id = ? AND occurred_at >= ? AND occurred_at < ? GROUP BY endpoint, method "
                        + "ORDER BY calls DESC, endpoint, method",
                (rs, i) -> new EndpointUsage(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5)), q.tenantId(), from, to);
        // hourly buckets from the database (portable EXTRACT), folded into days or months here
        Map<Instant, long[]> buckets = new TreeMap<>();
        jdbc.query("SELECT EXTRACT(YEAR FROM occurred_at) AS y, EXTRACT(MONTH FROM occurred_at) AS mo, "
                        + "EXTRACT(DAY FROM occurred_at) AS d, EXTRACT(HOUR FROM occurred_at) AS h, COUNT(*), SUM(units) "
                        + "FROM usage_logs WHERE tenant_id = ? AND occurred_at >= ? AND occurred_at < ? "
                        + "GROUP BY EXTRACT(YEAR FROM occurred_at), EXTRACT(MONTH FROM occurred_at), "
                        + "EXTRACT(DAY FROM occurred_at), EXTRACT(HOUR FROM occurred_at)",
                rs -> {
                    ZonedDateTime hour = ZonedDateTime.of(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), 0, 0,
                            0, ZoneOffset.UTC);
                    Instant start = truncate(hour, q.granularity());
                    long[] acc = buckets.computeIfAbsent(start, k -> new long[2]);
                    acc[0] += rs.getLong(5);
                    acc[1] += rs.getLong(6);
                }, q.tenantId(), from, to);
        List<SeriesPoint> series = new ArrayList<>();
        buckets.forEach((start, acc) -> series.add(new SeriesPoint(start, acc[0], acc[1])));
        long calls = byEndpoint.stream().mapToLong(EndpointUsage::calls).sum();
        long units = byEndpoint.stream().mapToLong(EndpointUsage::units).sum();
        long errors = byEndpoint.stream().mapToLong(EndpointUsage::errors).sum();
        return new UsageReport(calls, units, errors, byEndpoint, series);
    }

    @QueryHandler
    public List<UsageLogView> handle(UsageLogsQuery q) {
        String sql = "SELECT id, request_id, user_id, api_key_id, endpoint, method, status, duration_ms, bytes, units, "
                + "occurred_at "
                + "FROM usage_logs WHERE tenant_id = ? "
                + (q.beforeTime() != null ? "AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) " : "")
                + "ORDER BY occurred_at DESC, id DESC LIMIT ?";
        List<Object> args = new ArrayList<>(List.of(q.tenantId()));
        if (q.beforeTime() != null) {
            Timestamp t = Timestamp.from(q.beforeTime());
            args.addAll(List.of(t, t, q.beforeId()));
        }
        args.add(q.limit());
        return jdbc.query(sql, (rs, i) -> new UsageLogView(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getInt(7), rs.getLong(8), rs.getLong(9),
                rs.getLong(10), rs.getTimestamp(11).toInstant()), args.toArray());
    }

    private static Instant truncate(ZonedDateTime hour, Granularity g) {
        return switch (g) {
            case HOUR -> hour.toInstant();
            case DAY -> hour.truncatedTo(ChronoUnit.DAYS).toInstant();
            case MONTH -> hour.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
        };
    }
}
