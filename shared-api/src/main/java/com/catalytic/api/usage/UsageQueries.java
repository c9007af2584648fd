package com.catalytic.api.usage;

import java.time.Instant;
import java.util.List;

public final class UsageQueries {

    private UsageQueries() {
    }

    public enum Granularity { HOUR, DAY, MONTH }

    /** The tenant's monthly quota now; answered with {@link QuotaStatus}. */
    public record QuotaStatusQuery(String tenantId) {
    }

    /** {@code limit} and {@code remaining} are null when the plan is unlimited. */
    public record QuotaStatus(String plan, String period, long used, Long limit, Long remaining, Instant resetsAt) {
    }

    /** Usage of a tenant in [from, to); answered with {@link UsageReport}. */
    public record UsageReportQuery(String tenantId, Instant from, Instant to, Granularity granularity) {
    }

    public record EndpointUsage(String endpoint, String method, long calls, long units, long errors) {
    }

    public record SeriesPoint(Instant start, long calls, long units) {
    }

    public record UsageReport(long calls, long units, long errors, List<EndpointUsage> byEndpoint,
                              List<SeriesPoint> series) {
    }

    /** Newest first; {@code before} is the cursor (exclusive), null for the first page. Answered with a list. */
    public record UsageLogsQuery(String tenantId, Instant beforeTime, String beforeId, int limit) {
    }

    /** Calls in [{@code from}, {@code to}), oldest first, after ({@code afterTime}, {@code afterId}) when given. */
    public record ExportUsageLogsQuery(String tenantId, Instant from, Instant to, Instant afterTime, String afterId,
                                       int limit) {
    }

    public record UsageLogView(String id, String requestId, String userId, String apiKeyId, String endpoint,
                               String method, int status, long durationMs, long bytes, long units, Instant occurredAt) {
    }
}
