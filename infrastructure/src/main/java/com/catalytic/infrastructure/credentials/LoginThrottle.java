package com.catalytic.infrastructure.credentials;

import com.catalytic.api.error.DomainException;
import com.catalytic.infrastructure.secrets.Hashing;
import com.catalytic.infrastructure.store.InMemoryKeyValueStore;
import com.catalytic.infrastructure.store.KeyValueStore.Counter;
import com.catalytic.infrastructure.store.KeyValueStore.StoreUnavailable;
import com.catalytic.infrastructure.store.KeyValueStore;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows brute force on the public auth endpoints. A login attempt is counted per account and client address, per
 * client address, and per account before its password is checked (one atomic increment each, compared afterwards),
 * so concurrent guesses cannot all slip under a limit; past a limit the answer is 429 with {@code Retry-After} until
 * the window ends. An attempt whose password was right, or that was never checked, is given back, so the counters
 * hold failures.
 * <p>
 * Strangers must not lock an owner out: an address that signed in to an account is remembered (as a hash) for
 * {@code knownAddressTtl}, and the per-account limit does not apply to it; it keeps its own per-pair and per-address
 * limits. Token refreshes are counted per client address and per session.
 * When the shared store is unreachable, counting continues per node so protection never switches off.
 */
public class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

    private final KeyValueStore shared;
    private final KeyValueStore local;
    private final AuthProperties props;
    private final Duration knownAddressTtl;
    private final AtomicLong lastWarning = new AtomicLong();
    private final Clock clock;
    /** Addresses whose API-key checks are refused, and until when (epoch milliseconds); bounded, never cleared whole. */
    private final Cache<String, Long> keyChecksBlocked = Caffeine.newBuilder().maximumSize(100_000)
            .executor(Runnable::run).build();

    public LoginThrottle(KeyValueStore shared, AuthProperties props, Duration knownAddressTtl, Clock clock) {
        this.shared = shared;
        this.local = new InMemoryKeyValueStore(clock);
        this.props = props;
        this.knownAddressTtl = knownAddressTtl;
        this.clock = clock;
    }

    /** A login attempt, counted against every limit that applies to it; the caller reports how it ended. */
    public final class Attempt {

        private final String email;
        private final String ip;
        private final List<String> counted;

        private Attempt(String email, String ip, List<String> counted) {
            this.email = email;
            this.ip = ip;
            this.counted = counted;
        }

        /** The password was right: not a failure, and the address is now known for this account. */
        public void succeeded() {
            String pair = pairKey(email, ip);
            for (String key : counted) {
                if (key.equals(pair)) {
                    delete(key);
                } else {
                    decrement(key);
                }
            }
            remember(knownKey(email, ip));
        }

        /** The password was never checked (the service was busy): the attempt is given back. */
        public void notChecked() {
            counted.forEach(LoginThrottle.this::decrement);
        }
    }

    /**
     * Counts a login attempt before its password is checked; 429 when it is over the account-and-address, address
     * or (for an address that never signed in to this account) account limit. A refused attempt is not kept.
     */
    public Attempt admitLogin(String email, String ip) {
        boolean known = isKnown(knownKey(email, ip));
        List<String> counted = new ArrayList<>(3);
        try {
            count(pairKey(email, ip), props.maxFailuresPerAccountAndIp(), counted);
            count(ipKey(ip), props.maxFailuresPerIp(), counted);
            if (!known) {
                count(accountKey(email), props.maxFailuresPerAccount(), counted);
            }
        } catch (DomainException refused) {
            counted.forEach(this::decrement);
            throw refused;
        }
        return new Attempt(email, ip, counted);
    }

    /**
     * Refuses (429 {@code too_many_failed_keys}) an API-key check from an address whose checks found no key more
     * than {@code max-failed-keys-per-ip} times in the window, before any lookup: a stranger trying random keys costs
     * the database one lookup per key at most that many times a window. Answered from this node's memory, so a
     * check that succeeds costs nothing more; the count itself is shared by the nodes.
     */
    public void requireKeyChecksAllowed(String ip) {
        Long until = keyChecksBlocked.getIfPresent(ip);
        if (until == null) {
            return;
        }
        long left = until - clock.millis();
        if (left <= 0) {
            keyChecksBlocked.invalidate(ip);
            return;
        }
        throw tooManyFailedKeys((left + 999) / 1000);
    }

    /**
     * An API-key check from this address found no key; past the limit, this one and the address's next checks are
     * refused until the window ends.
     */
    public void countFailedKeyCheck(String ip) {
        Counter c = increment("kf:ip:" + ip, props.failedKeyWindow());
        if (c.count() > props.maxFailedKeysPerIp()) {
            long ttl = Math.max(1, c.ttlSeconds());
            keyChecksBlocked.put(ip, clock.millis() + ttl * 1000);
            throw tooManyFailedKeys(ttl);
        }
    }

    private static DomainException tooManyFailedKeys(long retryAfterSeconds) {
        return DomainException.tooManyRequests("too_many_failed_keys",
                "too many requests with unknown API keys from this address; try again later", retryAfterSeconds);
    }

    /** Counts a registration from this address; 429 beyond the configured number per window. */
    public void countRegistration(String ip) {
        Counter c = increment("reg:ip:" + ip, props.registrationWindow());
        if (c.count() > props.maxRegistrationsPerIp()) {
            throw DomainException.tooManyRequests("too_many_requests",
                    "too many sign-ups from this address; try again later", c.ttlSeconds());
        }
    }

    /** Counts a password-reset request; 429 beyond 5 an hour for one address or 20 an hour from one client. */
    public void countPasswordReset(String email, String ip) {
        Counter account = increment("pwr:acct:" + Hashing.sha256Hex(email == null ? "" : email), Duration.ofHours(1));
        Counter client = increment("pwr:ip:" + ip, Duration.ofHours(1));
        if (account.count() > 5 || client.count() > 20) {
            throw DomainException.tooManyRequests("too_many_requests",
                    "too many password-reset requests; try again later",
                    Math.max(account.count() > 5 ? account.ttlSeconds() : 0, client.ttlSeconds()));
        }
    }

    /**
     * Counts a refresh, per client address and then, when {@code sessionId} is not null, per session (before any
     * work); 429 beyond the configured numbers per window: every refresh stores an event, so nobody may make a
     * session grow without bound.
     */
    public void countRefresh(String ip, String sessionId) {
        Counter client = increment("rf:ip:" + ip, props.refreshWindow());
        if (client.count() > props.maxRefreshesPerIp()) {
            throw DomainException.tooManyRequests("too_many_requests",
                    "too many token refreshes from this address; try again later", client.ttlSeconds());
        }
        if (sessionId == null) {
            return;
        }
        Counter session = increment("rf:sid:" + Hashing.sha256Hex(sessionId), props.refreshWindow());
        if (session.count() > props.maxRefreshesPerSession()) {
            throw DomainException.tooManyRequests("too_many_requests",
                    "this session is refreshed too often; try again later", session.ttlSeconds());
        }
    }

    private void count(String key, int limit, List<String> counted) {
        Counter c = increment(key, props.failureWindow());
        counted.add(key);
        if (c.count() > limit) {
            throw DomainException.tooManyRequests("too_many_attempts",
                    "too many failed attempts; try again later", c.ttlSeconds());
        }
    }

    /** Increments the shared counter; what this node counted alone while the shared store was down still counts. */
    private Counter increment(String key, Duration window) {
        Counter alone = local.peek(key);
        try {
            Counter c = shared.increment(key, window);
            return alone.count() == 0 ? c
                    : new Counter(c.count() + alone.count(), Math.max(c.ttlSeconds(), alone.ttlSeconds()));
        } catch (StoreUnavailable e) {
            warn(e);
            return local.increment(key, window);
        }
    }

    private void decrement(String key) {
        try {
            shared.decrement(key);
        } catch (StoreUnavailable e) {
            warn(e);
            local.decrement(key);
        }
    }

    private void delete(String key) {
        try {
            shared.delete(key);
        } catch (StoreUnavailable e) {
            warn(e);
        }
        local.delete(key);
    }

    private void remember(String key) {
        try {
            shared.put(key, "1", knownAddressTtl);
        } catch (StoreUnavailable e) {
            warn(e);
            local.put(key, "1", knownAddressTtl);
        }
    }

    private boolean isKnown(String key) {
        try {
            if (shared.exists(key)) {
                return true;
            }
        } catch (StoreUnavailable e) {
            warn(e);
        }
        return local.exists(key);
    }

    private static String accountKey(String email) {
        return "bf:acct:" + Hashing.sha256Hex(email == null ? "" : email);
    }

    private static String pairKey(String email, String ip) {
        return "bf:pair:" + pairHash(email, ip);
    }

    private static String knownKey(String email, String ip) {
        return "bf:known:" + pairHash(email, ip);
    }

    private static String pairHash(String email, String ip) {
        return Hashing.sha256Hex((email == null ? "" : email) + "|" + ip);
    }

    private static String ipKey(String ip) {
        return "bf:ip:" + ip;
    }

    private void warn(StoreUnavailable e) {
        long now = clock.millis();
        long last = lastWarning.get();
        if (now - last > 60_000 && lastWarning.compareAndSet(last, now)) {
            log.warn("Fast store unreachable ({}); brute-force counting continues per node", e.getMessage());
        }
    }
}
