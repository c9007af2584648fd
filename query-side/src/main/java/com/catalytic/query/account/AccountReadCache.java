package com.catalytic.query.account;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.identity.TenantScoped;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * A short-lived cache of the hottest reads ({@code /api/me}, {@code /api/tenant}), per node. Any event of a tenant
 * evicts that tenant's entries on the node that stored it, right after the commit; other nodes serve an entry for
 * at most {@code ttl} (2 s by default). Credentials and permissions never come from here: every request is still
 * authorised against the current role and status.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.CREDENTIAL_INVALIDATION)
class AccountReadCache {

    private record Entry(String tenantId, Object value, long loadedAt) {
    }

    private static final int MAX_ENTRIES = 100_000;

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final long ttlMillis;

    public AccountReadCache(Clock clock, @Value("${catalytic.cache.account-read-ttl:2s}") Duration ttl) {
        this.clock = clock;
        this.ttlMillis = ttl.toMillis();
    }

    @SuppressWarnings("unchecked")
    public <T> T get(String key, String tenantId, Supplier<T> loader) {
        long now = clock.millis();
        Entry e = entries.get(key);
        if (e != null && now - e.loadedAt() < ttlMillis) {
            return (T) e.value();
        }
        T value = loader.get();
        if (value != null && ttlMillis > 0) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            entries.put(key, new Entry(tenantId, value, now));
        }
        return value;
    }

    @EventHandler
    void on(TenantScoped event) {
        if (event instanceof UsageRecordedBatchEvent || event instanceof UsageRecordedEvent) {
            return; // metering: changes nothing these reads show
        }
        String tenantId = event.tenantId();
        Runnable evict = () -> entries.values().removeIf(e -> e.tenantId().equals(tenantId));
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(u -> evict.run());
        } else {
            evict.run();
        }
    }
}
