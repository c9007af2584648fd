package com.catalytic.infrastructure.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.account.AccountQueries.ApiKeyRecord;
import com.catalytic.api.account.AccountQueries.FindApiKeyByHashQuery;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.queryhandling.DefaultQueryGateway;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.junit.jupiter.api.Test;

/**
 * A flood of unknown API keys (each a new hash, remembered as unknown) stays within the cache's bound and does not
 * push out the keys in use: they are not looked up again.
 */
class CredentialCacheTest {

    private static final String KNOWN = "hash-of-a-key-in-use";

    private final AtomicInteger lookupsOfKnown = new AtomicInteger();
    private final AtomicInteger lookups = new AtomicInteger();

    private CredentialCache cache(int maxEntries) {
        SimpleQueryBus bus = SimpleQueryBus.builder().build();
        bus.subscribe(FindApiKeyByHashQuery.class.getName(), ApiKeyRecord.class, m -> {
            lookups.incrementAndGet();
            FindApiKeyByHashQuery q = (FindApiKeyByHashQuery) m.getPayload();
            if (KNOWN.equals(q.keyHash())) {
                lookupsOfKnown.incrementAndGet();
                return new ApiKeyRecord("key-1", "tenant-1", "user-1", Set.of("users:read"), null, null, null, null);
            }
            return null; // no tenant holds it
        });
        return new CredentialCache(DefaultQueryGateway.builder().queryBus(bus).build(), Clock.systemUTC(),
                Duration.ofMinutes(5), maxEntries);
    }

    @Test
    void unknownKeysStayWithinTheBoundAndTheBusyKeyIsNotLookedUpAgain() {
        CredentialCache cache = cache(1_000);
        for (int i = 0; i < 20; i++) {
            assertThat(cache.apiKey(KNOWN)).isPresent(); // a key in use, checked again and again
        }
        assertThat(lookupsOfKnown).hasValue(1);

        for (int i = 0; i < 50_000; i++) {
            assertThat(cache.apiKey("unknown-" + i)).isEmpty();
            if (i % 100 == 0) {
                assertThat(cache.apiKey(KNOWN)).isPresent(); // still in use during the flood
            }
        }
        assertThat(lookups).as("every unknown key was looked up once").hasValue(50_001);
        assertThat(cache.cachedApiKeys()).isLessThanOrEqualTo(1_000);
        assertThat(lookupsOfKnown).as("the key in use was never pushed out").hasValue(1);
        assertThat(cache.apiKey("unknown-49999")).isEmpty();
        assertThat(lookups).as("a recent unknown key is remembered").hasValue(50_001);
    }

    @Test
    void withoutABoundBeingReachedNothingIsForgotten() {
        CredentialCache cache = cache(100_000);
        for (int i = 0; i < 5_000; i++) {
            cache.apiKey("unknown-" + i);
        }
        for (int i = 0; i < 5_000; i++) {
            cache.apiKey("unknown-" + i);
        }
        assertThat(lookups).hasValue(5_000);
        assertThat(cache.cachedApiKeys()).isEqualTo(5_000);
    }
}
