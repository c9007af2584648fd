package com.catalytic.api.usage;

import com.catalytic.api.tenant.TenantScoped;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Metering facts. Usage records are not aggregate events: they are appended in batches by the usage journal. */
public final class UsageEvents {

    private UsageEvents() {
    }

    /** One metered API call (and the compute units it used). */
    @Revision("1")
    public record UsageRecordedEvent(String usageId, String tenantId, String userId, String apiKeyId, String endpoint,
                                     String method, int status, long durationMs, long bytes, long units,
                                     Instant occurredAt) implements TenantScoped {
    }

    /** The tenant's monthly API calls crossed a threshold (80 or 100 percent of the plan's quota). */
    @Revision("1")
    public record UsageThresholdReachedEvent(String tenantId, String period, int thresholdPercent, long used,
                                             long limit) implements TenantScoped {
    }
}
