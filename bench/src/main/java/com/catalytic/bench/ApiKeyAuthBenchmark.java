package com.catalytic.bench;

import com.catalytic.api.account.AccountQueries.ApiKeyRecord;
import com.catalytic.api.account.AccountQueries.PrincipalState;
import com.catalytic.api.identity.Caller;
import com.catalytic.infrastructure.credentials.ApiKeyAuthenticator;
import com.catalytic.infrastructure.credentials.AuthProperties;
import com.catalytic.infrastructure.credentials.ApiKeyUsageTracker;
import com.catalytic.infrastructure.credentials.ApiKeys;
import com.catalytic.infrastructure.credentials.CredentialCache;
import com.catalytic.infrastructure.credentials.LoginThrottle;
import com.catalytic.infrastructure.store.InMemoryKeyValueStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process API-key verification with a warm credential cache, against a bare SHA-256 of the same key.
 *
 * <p>{@code authenticate} is the production {@link ApiKeyAuthenticator} wired as in {@code CredentialsConfiguration}
 * (system UTC clock, the default 60 s cache age), except that the {@link CredentialCache} asks an in-memory
 * {@link InMemoryQueryGateway} instead of the read tables and the {@link ApiKeyUsageTracker} has a no-op sink (it is
 * never flushed here; {@code touch} still runs on every call). The setup issues one warm-up call, so every measured
 * call is a cache hit (the fixture counts the queries it answers and the run fails if the cache went cold more than
 * once a minute).
 *
 * <p>{@code sha256Baseline} is {@link ApiKeys#hash}, the one step of verification that cannot be cached.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 3, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
public class ApiKeyAuthBenchmark {

    private static final String TENANT = "0190a2b4-7c3d-7000-8000-00000000000a";
    private static final String USER = "0190a2b4-7c3d-7000-8000-00000000000b";
    private static final String KEY_ID = "0190a2b4-7c3d-7000-8000-00000000000c";
    private static final String CLIENT = "203.0.113.10";

    private String key;
    private InMemoryQueryGateway gateway;
    private ApiKeyAuthenticator authenticator;
    private long startedAtMillis;

    @Setup(Level.Trial)
    public void setUp() {
        key = ApiKeys.generate();
        gateway = new InMemoryQueryGateway();
        gateway.putKey(ApiKeys.hash(key), Records.of(ApiKeyRecord.class, Map.of("keyId", KEY_ID, "tenantId", TENANT,
                "createdBy", USER, "scopes", Set.of("users:read"))));
        gateway.putPrincipal(Records.of(PrincipalState.class, Map.of("userId", USER, "tenantId", TENANT,
                "role", "owner", "active", true)));
        Clock clock = Clock.systemUTC();
        CredentialCache cache = new CredentialCache(gateway, clock, Duration.ofSeconds(60));
        LoginThrottle throttle = new LoginThrottle(new InMemoryKeyValueStore(clock), new AuthProperties(null, null,
                null, null, null, null, null, 0, 0, 0, null, 0, null, null, null, 0, 0, null, 0, null),
                Duration.ofDays(30), clock);
        authenticator = new ApiKeyAuthenticator(cache, new ApiKeyUsageTracker(lastUsed -> { }), throttle, clock);
        Caller caller = authenticator.authenticate(key, CLIENT);   // warms the cache: one query for the key, one for its owner
        if (!KEY_ID.equals(caller.apiKeyId()) || !USER.equals(caller.userId())) {
            throw new IllegalStateException("fixture does not authenticate: " + caller);
        }
        startedAtMillis = System.currentTimeMillis();
    }

    @TearDown(Level.Trial)
    public void checkCacheStayedWarm() {
        // 2 loads to warm up, then at most 2 more per elapsed cache age (60 s)
        long minutes = (System.currentTimeMillis() - startedAtMillis) / 60_000 + 1;
        long allowed = 2 + 2 * minutes;
        if (gateway.queriesAnswered() > allowed) {
            throw new IllegalStateException("the credential cache went cold: " + gateway.queriesAnswered()
                    + " queries answered, at most " + allowed + " expected");
        }
    }

    @Benchmark
    public Caller authenticate() {
        return authenticator.authenticate(key, CLIENT);
    }

    @Benchmark
    public String sha256Baseline() {
        return ApiKeys.hash(key);
    }
}
