package com.catalytic.api.usage;

import com.catalytic.api.identity.TenantScoped;
import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;

/**
 * Metering facts. Usage records are not aggregate events: the usage journal appends them in batches, one
 * {@link UsageRecordedBatchEvent} per tenant and group commit, so a busy tenant's calls share one stored event.
 */
public final class UsageEvents {

    private UsageEvents() {
    }

    /**
     * Whether events of this payload type record metered calls: the bulk of the event stream, which handlers that
     * take every event skip by type, before their payload is read (a batch holds hundreds of calls).
     */
    public static boolean recordsCalls(Class<?> payloadType) {
        return payloadType == UsageRecordedBatchEvent.class || payloadType == UsageRecordedEvent.class;
    }

    /**
     * One metered API call (and the compute units it used), as stored one event per call before batching. Still
     * projected (stored history never changes); no longer written.
     */
    @Revision("1")
    public record UsageRecordedEvent(String usageId, String tenantId, String userId, String apiKeyId, String endpoint,
                                     String method, int status, long durationMs, long bytes, long units,
                                     Instant occurredAt) implements TenantScoped {
    }

    /** One metered API call inside a {@link UsageRecordedBatchEvent}. */
    public record UsageRecord(String usageId, String userId, String apiKeyId, String endpoint, String method,
                              int status, long durationMs, long bytes, long units, Instant occurredAt,
                              String requestId, String ip) {
    }

    /** Metered calls of one tenant, recorded together in one group commit (in the order they were answered). */
    @Revision("1")
    public record UsageRecordedBatchEvent(String tenantId, List<UsageRecord> records) implements TenantScoped {
    }

    /** The tenant's monthly API calls crossed a threshold (80 or 100 percent of the plan's quota). */
    @Revision("1")
    public record UsageThresholdReachedEvent(String tenantId, String period, int thresholdPercent, long used,
                                             long limit) implements TenantScoped {
    }
}
