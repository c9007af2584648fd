package com.catalytic.bench;

import com.catalytic.api.account.AccountQueries.ApiKeyRecord;
import com.catalytic.api.account.AccountQueries.FindApiKeyByHashQuery;
import com.catalytic.api.account.AccountQueries.FindPrincipalQuery;
import com.catalytic.api.account.AccountQueries.PrincipalState;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.axonframework.common.Registration;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.responsetypes.ResponseType;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.QueryMessage;
import org.axonframework.queryhandling.SubscriptionQueryBackpressure;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.reactivestreams.Publisher;

/**
 * Benchmark fixture: a {@link QueryGateway} that answers the two queries {@code CredentialCache} sends on the API-key
 * path ({@link FindApiKeyByHashQuery}, {@link FindPrincipalQuery}) from in-memory maps, and counts how often it is
 * asked, so that a run can show the cache really was warm. Everything else is unsupported.
 */
final class InMemoryQueryGateway implements QueryGateway {

    private final Map<String, ApiKeyRecord> keysByHash = new ConcurrentHashMap<>();
    private final Map<String, PrincipalState> principals = new ConcurrentHashMap<>();
    private final LongAdder queries = new LongAdder();

    void putKey(String keyHash, ApiKeyRecord key) {
        keysByHash.put(keyHash, key);
    }

    void putPrincipal(PrincipalState principal) {
        principals.put(principal.userId(), principal);
    }

    long queriesAnswered() {
        return queries.sum();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R, Q> CompletableFuture<R> query(String queryName, Q query, ResponseType<R> responseType) {
        queries.increment();
        Object answer;
        if (query instanceof FindApiKeyByHashQuery q) {
            answer = keysByHash.get(q.keyHash());
        } else if (query instanceof FindPrincipalQuery q) {
            answer = principals.get(q.userId());
        } else {
            return CompletableFuture.failedFuture(
                    new UnsupportedOperationException("not answered by the benchmark fixture: " + query));
        }
        return CompletableFuture.completedFuture((R) answer);
    }

    @Override
    public <R, Q> Publisher<R> streamingQuery(String queryName, Q query, Class<R> responseType) {
        throw new UnsupportedOperationException();
    }

    @Override
    public <R, Q> Stream<R> scatterGather(String queryName, Q query, ResponseType<R> responseType, long timeout,
                                          TimeUnit timeUnit) {
        throw new UnsupportedOperationException();
    }

    @Override
    @SuppressWarnings("deprecation")
    public <Q, I, U> SubscriptionQueryResult<I, U> subscriptionQuery(String queryName, Q query,
                                                                     ResponseType<I> initialResponseType,
                                                                     ResponseType<U> updateResponseType,
                                                                     SubscriptionQueryBackpressure backpressure,
                                                                     int updateBufferSize) {
        throw new UnsupportedOperationException();
    }

    @Override
    public <Q, I, U> SubscriptionQueryResult<I, U> subscriptionQuery(String queryName, Q query,
                                                                     ResponseType<I> initialResponseType,
                                                                     ResponseType<U> updateResponseType,
                                                                     int updateBufferSize) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Registration registerDispatchInterceptor(
            MessageDispatchInterceptor<? super QueryMessage<?, ?>> dispatchInterceptor) {
        throw new UnsupportedOperationException();
    }
}
