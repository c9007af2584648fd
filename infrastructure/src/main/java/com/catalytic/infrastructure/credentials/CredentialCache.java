package com.catalytic.infrastructure.credentials;

import com.catalytic.api.account.AccountQueries.ApiKeyRecord;
import com.catalytic.api.account.AccountQueries.FindApiKeyByHashQuery;
import com.catalytic.api.account.AccountQueries.FindPrincipalQuery;
import com.catalytic.api.account.AccountQueries.FindTenantStateQuery;
import com.catalytic.api.account.AccountQueries.PrincipalState;
import com.catalytic.api.account.AccountQueries.TenantState;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;

/**
 * The per-node cache in front of the read tables that every authenticated request consults: users (role, active),
 * tenants (status, plan) and API keys (by hash). Entries are evicted by the {@link AccessChangePoller} when the
 * access-change feed names them, and never live longer than {@code maxAge} whatever happens.
 */
public class CredentialCache {

    private record Entry<T>(Optional<T> value, long loadedAtMillis) {
    }

    private static final int MAX_ENTRIES = 200_000;

    private final QueryGateway queries;
    private final Clock clock;
    private final long maxAgeMillis;
    private final Map<String, Entry<PrincipalState>> principals = new ConcurrentHashMap<>();
    private final Map<String, Entry<TenantState>> tenants = new ConcurrentHashMap<>();
    private final Map<String, Entry<ApiKeyRecord>> keysByHash = new ConcurrentHashMap<>();
    private final Map<String, String> hashByKeyId = new ConcurrentHashMap<>();

    public CredentialCache(QueryGateway queries, Clock clock, Duration maxAge) {
        this.queries = queries;
        this.clock = clock;
        this.maxAgeMillis = maxAge.toMillis();
    }

    public Optional<PrincipalState> principal(String userId) {
        return get(principals, userId, id -> queries.query(new FindPrincipalQuery(id),
                ResponseTypes.instanceOf(PrincipalState.class)).join());
    }

    public Optional<TenantState> tenant(String tenantId) {
        return get(tenants, tenantId, id -> queries.query(new FindTenantStateQuery(id),
                ResponseTypes.instanceOf(TenantState.class)).join());
    }

    public Optional<ApiKeyRecord> apiKey(String keyHash) {
        Optional<ApiKeyRecord> key = get(keysByHash, keyHash, h -> queries.query(new FindApiKeyByHashQuery(h),
                ResponseTypes.instanceOf(ApiKeyRecord.class)).join());
        key.ifPresent(k -> hashByKeyId.put(k.keyId(), keyHash));
        return key;
    }

    /** The per-key rate limit of a key verified recently on this node (null: none, or not cached). */
    public Integer apiKeyLimit(String keyId) {
        String hash = hashByKeyId.get(keyId);
        Entry<ApiKeyRecord> e = hash == null ? null : keysByHash.get(hash);
        return e == null ? null : e.value().map(ApiKeyRecord::rateLimitPerMinute).orElse(null);
    }

    public void evictPrincipal(String userId) {
        principals.remove(userId);
    }

    public void evictTenant(String tenantId) {
        tenants.remove(tenantId);
    }

    public void evictApiKey(String keyId) {
        String hash = hashByKeyId.remove(keyId);
        if (hash != null) {
            keysByHash.remove(hash);
        }
    }

    private <T> Optional<T> get(Map<String, Entry<T>> map, String key, Function<String, T> loader) {
        long now = clock.millis();
        Entry<T> e = map.get(key);
        if (e != null && now - e.loadedAtMillis() < maxAgeMillis) {
            return e.value();
        }
        Optional<T> value = Optional.ofNullable(loader.apply(key));
        if (map.size() >= MAX_ENTRIES) {
            map.clear();
        }
        map.put(key, new Entry<>(value, now));
        return value;
    }
}
