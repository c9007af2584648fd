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
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Usage reports and logs, always within one tenant. A report adds up the hourly roll-up for the whole hours of its
 * range and counts the calls of the partial hours at its ends from the log. A range that ends now or later takes its
 * last hour whole from the roll-up as well (the default range: this month so far): no call after its end exists yet,
 * and the roll-up is written in the same statement as the log, so it is as fresh. A busy tenant's current hour holds
 * up to an hour of calls, which the log would count on every report.
 */
@Component
class UsageQueryHandlers {

    private static final Comparator<EndpointUsage> MOST_CALLED = Comparator.comparingLong(EndpointUsage::calls)
            .reversed().thenComparing(EndpointUsage::endpoint).thenComparing(EndpointUsage::method);

    private final UsageLogRepository logs;
    private final boolean fromRollup;
    private final Clock clock;

    /** @param fromRollup false: every report counts every call in the log (slow on a large tenant; for comparison) */
    public UsageQueryHandlers(UsageLogRepository logs,
                              @Value("${catalytic.usage.reports-from-rollup:true}") boolean fromRollup, Clock clock) {
        this.logs = logs;
        this.fromRollup = fromRollup;
        this.clock = clock;
    }

    /** A part of a report's range, answered from the roll-up (whole hours) or from the log. */
    private record Span(Instant from, Instant to, boolean wholeHours) {
    }

    @QueryHandler
    public UsageReport handle(UsageReportQuery q) {
        Map<List<String>, long[]> endpoints = new HashMap<>();
        // hourly buckets from the database, folded into days or months here
        Map<Instant, long[]> buckets = new TreeMap<>();
        for (Span span : spans(q.from(), q.to())) {
            List<EndpointUsage> byEndpoint = span.wholeHours()
                    ? logs.byEndpointInHours(q.tenantId(), span.from(), span.to())
                    : logs.byEndpoint(q.tenantId(), span.from(), span.to());
            for (EndpointUsage e : byEndpoint) {
                add(endpoints.computeIfAbsent(List.of(e.endpoint(), e.method()), k -> new long[3]),
                        e.calls(), e.units(), e.errors());
            }
            List<HourlyUsage> hourly = span.wholeHours()
                    ? logs.hourlyInHours(q.tenantId(), span.from(), span.to())
                    : logs.hourly(q.tenantId(), span.from(), span.to());
            for (HourlyUsage h : hourly) {
                add(buckets.computeIfAbsent(truncate(h.hour(), q.granularity()), k -> new long[2]), h.calls(), h.units());
            }
        }
        List<EndpointUsage> byEndpoint = new ArrayList<>();
        endpoints.forEach((k, acc) -> byEndpoint.add(new EndpointUsage(k.get(0), k.get(1), acc[0], acc[1], acc[2])));
        byEndpoint.sort(MOST_CALLED);
        List<SeriesPoint> series = new ArrayList<>();
        buckets.forEach((start, acc) -> series.add(new SeriesPoint(start, acc[0], acc[1])));
        long calls = byEndpoint.stream().mapToLong(EndpointUsage::calls).sum();
        long units = byEndpoint.stream().mapToLong(EndpointUsage::units).sum();
        long errors = byEndpoint.stream().mapToLong(EndpointUsage::errors).sum();
        return new UsageReport(calls, units, errors, byEndpoint, series);
    }

    /** [from, to) as its whole hours and the partial hours around them. */
    private List<Span> spans(Instant from, Instant to) {
        Instant firstHour = from.truncatedTo(ChronoUnit.HOURS);
        if (firstHour.isBefore(from)) {
            firstHour = firstHour.plus(1, ChronoUnit.HOURS);
        }
        Instant lastHour = to.truncatedTo(ChronoUnit.HOURS);
        if (lastHour.isBefore(to) && !to.isBefore(clock.instant())) {
            lastHour = lastHour.plus(1, ChronoUnit.HOURS); // the hour in progress, whole: nothing after `to` yet
        }
        if (!fromRollup || !firstHour.isBefore(lastHour)) {
            return List.of(new Span(from, to, false));
        }
        List<Span> spans = new ArrayList<>();
        if (from.isBefore(firstHour)) {
            spans.add(new Span(from, firstHour, false));
        }
        spans.add(new Span(firstHour, lastHour, true));
        if (lastHour.isBefore(to)) {
            spans.add(new Span(lastHour, to, false));
        }
        return spans;
    }

    private static void add(long[] acc, long... values) {
        for (int i = 0; i < values.length; i++) {
            acc[i] += values[i];
        }
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
