package com.catalytic.query.usage;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.usage.UsageQueries.Granularity;
import com.catalytic.api.usage.UsageQueries.QuotaStatus;
import com.catalytic.api.usage.UsageQueries.QuotaStatusQuery;
import com.catalytic.api.usage.UsageQueries.UsageLogView;
import com.catalytic.api.usage.UsageQueries.UsageLogsQuery;
import com.catalytic.api.usage.UsageQueries.UsageReport;
import com.catalytic.api.usage.UsageQueries.UsageReportQuery;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Usage analytics of the caller's tenant (scope {@code usage:read}). */
@RestController
class UsageController {

    static final Duration MAX_RANGE = Duration.ofDays(366);
    static final int MAX_PAGE = 500;

    private final QueryGateway queries;
    private final Clock clock;

    public UsageController(QueryGateway queries, Clock clock) {
        this.queries = queries;
        this.clock = clock;
    }

    @GetMapping("/api/usage")
    public Map<String, Object> usage(Caller caller, @RequestParam(name = "from", required = false) String fromParam,
                                     @RequestParam(name = "to", required = false) String toParam,
                                     @RequestParam(name = "granularity", defaultValue = "day") String granularityParam) {
        caller.require(Scopes.USAGE_READ);
        Instant now = clock.instant();
        Instant from = fromParam == null
                ? YearMonth.from(now.atZone(ZoneOffset.UTC)).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC)
                : instant(fromParam, "from");
        Instant to = toParam == null ? now.plusSeconds(1) : instant(toParam, "to");
        if (!from.isBefore(to)) {
            throw DomainException.validation("from", "invalid_range", "from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw DomainException.validation("to", "invalid_range", "a report covers at most 366 days");
        }
        Granularity granularity;
        try {
            granularity = Granularity.valueOf(granularityParam.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw DomainException.validation("granularity", "invalid_granularity",
                    "granularity must be hour, day or month");
        }
        UsageReport report = queries.query(new UsageReportQuery(caller.tenantId(), from, to, granularity),
                ResponseTypes.instanceOf(UsageReport.class)).join();
        QuotaStatus quota = queries.query(new QuotaStatusQuery(caller.tenantId()),
                ResponseTypes.instanceOf(QuotaStatus.class)).join();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", from);
        out.put("to", to);
        out.put("granularity", granularity.name().toLowerCase(Locale.ROOT));
        out.put("totals", Map.of("calls", report.calls(), "units", report.units(), "errors", report.errors()));
        out.put("by_endpoint", report.byEndpoint());
        out.put("quota", quota);
        out.put("series", report.series());
        return out;
    }

    @GetMapping("/api/usage/logs")
    public Map<String, Object> logs(Caller caller, @RequestParam(name = "limit", defaultValue = "50") int limit,
                                    @RequestParam(name = "cursor", required = false) String cursor) {
        caller.require(Scopes.USAGE_READ);
        if (limit < 1 || limit > MAX_PAGE) {
            throw DomainException.validation("limit", "invalid_limit", "limit must be between 1 and " + MAX_PAGE);
        }
        Instant beforeTime = null;
        String beforeId = null;
        if (cursor != null) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
                beforeTime = Instant.parse(parts[0]);
                beforeId = parts[1];
            } catch (RuntimeException e) {
                throw DomainException.validation("cursor", "invalid_cursor", "cursor is not valid");
            }
        }
        List<UsageLogView> page = queries.query(new UsageLogsQuery(caller.tenantId(), beforeTime, beforeId, limit + 1),
                ResponseTypes.multipleInstancesOf(UsageLogView.class)).join();
        String next = null;
        if (page.size() > limit) {
            page = page.subList(0, limit);
            UsageLogView last = page.get(limit - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (last.occurredAt() + "|" + last.id()).getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("logs", page);
        out.put("next_cursor", next);
        return out;
    }

    private static Instant instant(String value, String field) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw DomainException.validation(field, "invalid_time", field + " must be an ISO-8601 UTC instant, "
                    + "e.g. 2026-11-01T00:00:00Z");
        }
    }
}
