package com.catalytic.query.usage;

import com.catalytic.api.usage.UsageQueries.EndpointUsage;
import com.catalytic.api.usage.UsageQueries.ExportUsageLogsQuery;
import com.catalytic.api.usage.UsageQueries.Granularity;
import com.catalytic.api.usage.UsageQueries.SeriesPoint;
import com.catalytic.api.usage.UsageQueries.UsageLogView;
import com.catalytic.api.usage.UsageQueries.UsageLogsQuery;
import com.catalytic.api.usage.UsageQueries.UsageReport;
import com.catalytic.api.usage.UsageQueries.UsageReportQuery;
import com.catalytic.query.usage.UsageLogRepository.HourlyUsage;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/** Usage reports and logs from {@code usage_logs}, always within one tenant. */
@Component
class UsageQueryHandlers {

    private final UsageLogRepository logs;

    public UsageQueryHandlers(UsageLogRepository logs) {
        this.logs = logs;
    }

    @QueryHandler
    public UsageReport handle(UsageReportQuery q) {
        List<EndpointUsage> byEndpoint = logs.byEndpoint(q.tenantId(), q.from(), q.to());
        // hourly buckets from the database, folded into days or months here
        Map<Instant, long[]> buckets = new TreeMap<>();
        for (HourlyUsage h : logs.hourly(q.tenantId(), q.from(), q.to())) {
            long[] acc = buckets.computeIfAbsent(truncate(h.hour(), q.granularity()), k -> new long[2]);
            acc[0] += h.calls();
            acc[1] += h.units();
        }
        List<SeriesPoint> series = new ArrayList<>();
        buckets.forEach((start, acc) -> series.add(new SeriesPoint(start, acc[0], acc[1])));
        long calls = byEndpoint.stream().mapToLong(EndpointUsage::calls).sum();
        long units = byEndpoint.stream().mapToLong(EndpointUsage::units).sum();
        long errors = byEndpoint.stream().mapToLong(EndpointUsage::errors).sum();
        return new UsageReport(calls, units, errors, byEndpoint, series);
    }

    @QueryHandler
    public List<UsageLogView> handle(UsageLogsQuery q) {
        return logs.newestFirst(q.tenantId(), q.beforeTime(), q.beforeId(), q.limit());
    }

    @QueryHandler
    public List<UsageLogView> handle(ExportUsageLogsQuery q) {
        return logs.oldestFirst(q.tenantId(), q.from(), q.to(), q.afterTime(), q.afterId(), q.limit());
    }

    private static Instant truncate(ZonedDateTime hour, Granularity g) {
        return switch (g) {
            case HOUR -> hour.toInstant();
            case DAY -> hour.truncatedTo(ChronoUnit.DAYS).toInstant();
            case MONTH -> hour.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
        };
    }
}
