package com.catalytic.query.usage;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.usage.UsageQueries.ExportUsageLogsQuery;
import com.catalytic.api.usage.UsageQueries.Granularity;
import com.catalytic.api.usage.UsageQueries.QuotaStatus;
import com.catalytic.api.usage.UsageQueries.QuotaStatusQuery;
import com.catalytic.api.usage.UsageQueries.UsageLogView;
import com.catalytic.api.usage.UsageQueries.UsageLogsQuery;
import com.catalytic.api.usage.UsageQueries.UsageReport;
import com.catalytic.api.usage.UsageQueries.UsageReportQuery;
import com.catalytic.query.export.RowExport;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
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
    static final int EXPORT_PAGE = 2_000;
    static final List<String> EXPORT_COLUMNS = List.of("id", "occurred_at", "endpoint", "method", "status",
            "duration_ms", "bytes", "units", "user_id", "api_key_id", "request_id");

    private final QueryGateway queries;
    private final Clock clock;
    private final ObjectMapper json;

    public UsageController(QueryGateway queries, Clock clock, ObjectMapper json) {
        this.queries = queries;
        this.clock = clock;
        this.json = json;
    }

    @GetMapping("/api/usage")
    public Map<String, Object> usage(Caller caller, @RequestParam(name = "from", required = false) String fromParam,
                                     @RequestParam(name = "to", required = false) String toParam,
                                     @RequestParam(name = "granularity", defaultValue = "day") String granularityParam) {
        caller.require(Scopes.USAGE_READ);
        Range range = range(fromParam, toParam);
        Instant from = range.from();
        Instant to = range.to();
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

    /**
     * Every metered call of the tenant in [{@code from}, {@code to}) (default: this month so far), oldest first, as
     * NDJSON or CSV, streamed in keyset pages: memory stays at a page whatever the range.
     */
    @GetMapping("/api/usage/export")
    public void export(HttpServletResponse response, Caller caller,
                       @RequestParam(name = "format", defaultValue = "ndjson") String format,
                       @RequestParam(name = "from", required = false) String fromParam,
                       @RequestParam(name = "to", required = false) String toParam) {
        caller.require(Scopes.USAGE_READ);
        Range range = range(fromParam, toParam);
        Instant from = range.from();
        Instant to = range.to();
        try (RowExport export = RowExport.start(response, format, "usage", EXPORT_COLUMNS, json)) {
            Instant afterTime = null;
            String afterId = null;
            List<UsageLogView> page;
            do {
                page = queries.query(new ExportUsageLogsQuery(caller.tenantId(), from, to, afterTime, afterId,
                        EXPORT_PAGE), ResponseTypes.multipleInstancesOf(UsageLogView.class)).join();
                for (UsageLogView call : page) {
                    export.write(exportRow(call));
                    afterTime = call.occurredAt();
                    afterId = call.id();
                }
            } while (page.size() == EXPORT_PAGE);
        }
    }

    private static Map<String, Object> exportRow(UsageLogView c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("occurred_at", c.occurredAt().toString());
        m.put("endpoint", c.endpoint());
        m.put("method", c.method());
        m.put("status", c.status());
        m.put("duration_ms", c.durationMs());
        m.put("bytes", c.bytes());
        m.put("units", c.units());
        m.put("user_id", c.userId());
        m.put("api_key_id", c.apiKeyId());
        m.put("request_id", c.requestId());
        return m;
    }

    private record Range(Instant from, Instant to) {
    }

    /** [from, to): by default this month so far; 422 {@code invalid_range} unless from is before to. */
    private Range range(String fromParam, String toParam) {
        Instant now = clock.instant();
        Instant from = fromParam == null
                ? YearMonth.from(now.atZone(ZoneOffset.UTC)).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC)
                : instant(fromParam, "from");
        Instant to = toParam == null ? now.plusSeconds(1) : instant(toParam, "to");
        if (!from.isBefore(to)) {
            throw DomainException.validation("from", "invalid_range", "from must be before to");
        }
        return new Range(from, to);
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
