package com.catalytic.command.auth;

import com.catalytic.api.error.DomainException;
import com.catalytic.command.infra.FastStore;
import com.catalytic.command.infra.FastStore.Counter;
import com.catalytic.command.infra.FastStore.FastStoreUnavailable;
import com.catalytic.command.infra.Hashing;
import com.catalytic.command.infra.InMemoryFastStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows brute force on the public auth endpoints: failed logins are counted per account and client address, per
 * account, and per client address in the shared fast store; past a limit the endpoint answers 429 with
 * {@code Retry-After} until the window ends. The per-account limit is higher than the per-pair one, so one attacker
 * cannot lock a user out from everywhere with a handful of guesses. Token refreshes are counted per client address
 * and per session.
 * When the shared store is unreachable, counting continues per node so protection never switches off.
 */
public class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

    private final FastStore shared;
    private final FastStore local;
    private final AuthProperties props;
    private final AtomicLong lastWarning = new AtomicLong();
    private final Clock clock;

    public LoginThrottle(FastStore shared, AuthProperties props, Clock clock) {
        this.shared = shared;
        this.local = new InMemoryFastStore(clock);
        this.props = props;
        this.clock = clock;
    }

    public void checkLogin(String email, String ip) {
        requireBelow(pairKey(email, ip), props.maxFailuresPerAccountAndIp());
        requireBelow(accountKey(email), props.maxFailuresPerAccount());
        requireBelow(ipKey(ip), props.maxFailuresPerIp());
    }

    public void recordFailure(String email, String ip) {
        increment(pairKey(email, ip), props.failureWindow());
        increment(accountKey(email), props.failureWindow());
        increment(ipKey(ip), props.failureWindow());
    }

    public void recordSuccess(String email, String ip) {
        try {
            shared.delete(pairKey(email, ip));
        } catch (FastStoreUnavailable e) {
            warn(e);
        }
        local.delete(pairKey(email, ip));
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

    private void requireBelow(String key, int limit) {
        Counter c = peek(key);
        if (c.count() >= limit) {
            throw DomainException.tooManyRequests("too_many_attempts",
                    "too many failed attempts; try again later", c.ttlSeconds());
        }
    }

    private Counter peek(String key) {
        try {
            Counter s = shared.peek(key);
            Counter l = local.peek(key);
            return s.count() >= l.count() ? s : l;
        } catch (FastStoreUnavailable e) {
            warn(e);
            return local.peek(key);
        }
    }

    private Counter increment(String key, Duration window) {
        try {
            return shared.increment(key, window);
        } catch (FastStoreUnavailable e) {
            warn(e);
            return local.increment(key, window);
        }
    }

    private static String accountKey(String email) {
        return "bf:acct:" + Hashing.sha256Hex(email == null ? "" : email);
    }

    private static String pairKey(String email, String ip) {
        return "bf:pair:" + Hashing.sha256Hex((email == null ? "" : email) + "|" + ip);
    }

    private static String ipKey(String ip) {
        return "bf:ip:" + ip;
    }

    private void warn(FastStoreUnavailable e) {
        long now = clock.millis();
        long last = lastWarning.get();
        if (now - last > 60_000 && lastWarning.compareAndSet(last, now)) {
            log.warn("Fast store unreachable ({}); brute-force counting continues per node", e.getMessage());
        }
    }
}
