package com.catalytic.infrastructure.credentials;

import com.catalytic.api.account.AccountQueries.ApiKeyRecord;
import com.catalytic.api.account.AccountQueries.FindApiKeyByHashQuery;
import com.catalytic.api.account.AccountQueries.FindPrincipalQuery;
import com.catalytic.api.account.AccountQueries.FindTenantStateQuery;
import com.catalytic.api.account.AccountQueries.PrincipalState;
import com.catalytic.api.account.AccountQueries.TenantState;
import java.time.Clock;
import java.time.Duration;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import java.util.function.Function;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;

/**
 * The per-node cache in front of the read tables that every authenticated request consults: users (role, active),
 * tenants (status, plan) and API keys (by hash). Entries are evicted by the {@link AccessChangePoller} when the
 * access-change feed names them, and never live longer than {@code maxAge} whatever happens. Each cache holds at
 * most {@code MAX_ENTRIES}; beyond that, the entries least likely to be used again go (Caffeine's W-TinyLFU), so a
 * flood of unknown API keys (each a new hash, remembered as unknown) never pushes out the keys in use, and nothing
 * is ever cleared whole.
 */
public class CredentialCache {

    private record Entry<T>(Optional<T> value, long loadedAtMillis) {
    }

    private static final int MAX_ENTRIES = 200_000;

    private final QueryGateway queries;
    private final Clock clock;
    private final long maxAgeMillis;
    private final Cache<String, Entry<PrincipalState>> principals;
    private final Cache<String, Entry<TenantState>> tenants;
    private final Cache<String, Entry<ApiKeyRecord>> keysByHash;
    private final Cache<String, String> hashByKeyId;

    public CredentialCache(QueryGateway queries, Clock clock, Duration maxAge) {
        this(queries, clock, maxAge, MAX_ENTRIES);
    }

    CredentialCache(QueryGateway queries, Clock clock, Duration maxAge, int maxEntries) {
        this.queries = queries;
        this.clock = clock;
        this.maxAgeMillis = maxAge.toMillis();
        this.principals = bounded(maxEntries);
        this.tenants = bounded(maxEntries);
        this.keysByHash = bounded(maxEntries);
        this.hashByKeyId = bounded(maxEntries);
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
        key.ifPresent(k -> {
            if (!keyHash.equals(hashByKeyId.getIfPresent(k.keyId()))) { // a read, not a write, on every call
                hashByKeyId.put(k.keyId(), keyHash);
            }
        });
        return key;
    }

    /** The per-key rate limit of a key verified recently on this node (null: none, or not cached). */
    public Integer apiKeyLimit(String keyId) {
        String hash = hashByKeyId.getIfPresent(keyId);
        Entry<ApiKeyRecord> e = hash == null ? null : keysByHash.getIfPresent(hash);
        return e == null ? null : e.value().map(ApiKeyRecord::rateLimitPerMinute).orElse(null);
    }

    public void evictPrincipal(String userId) {
        principals.invalidate(userId);
    }

    public void evictTenant(String tenantId) {
        tenants.invalidate(tenantId);
    }

    public void evictApiKey(String keyId) {
        String hash = hashByKeyId.asMap().remove(keyId);
        if (hash != null) {
            keysByHash.invalidate(hash);
        }
    }

    /** API key hashes remembered, known and unknown (for tests and metrics). */
    public long cachedApiKeys() {
        keysByHash.cleanUp();
        return keysByHash.estimatedSize();
    }

    private <T> Optional<T> get(Cache<String, Entry<T>> cache, String key, Function<String, T> loader) {
        long now = clock.millis();
        Entry<T> e = cache.getIfPresent(key);
        if (e != null && now - e.loadedAtMillis() < maxAgeMillis) {
            return e.value();
        }
        Optional<T> value = Optional.ofNullable(loader.apply(key));
        cache.put(key, new Entry<>(value, now));
        return value;
    }

    private static <V> Cache<String, V> bounded(int maxEntries) {
        return Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
    }
}
