package com.catalytic.infrastructure.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.api.error.DomainException;
import com.catalytic.infrastructure.store.InMemoryKeyValueStore;
import com.catalytic.infrastructure.store.KeyValueStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    static final String OWNER = "ada@example.com";
    static final String HOME = "198.51.100.1";
    static final String ATTACKER = "203.0.113.9";

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** The shared store, which the test can take down and bring back. */
    static final class SwitchableStore implements KeyValueStore {
        private final InMemoryKeyValueStore store;
        volatile boolean down;

        SwitchableStore(Clock clock) {
            this.store = new InMemoryKeyValueStore(clock);
        }

        private void check() {
            if (down) {
                throw new StoreUnavailable("down for the test", null);
            }
        }

        @Override
        public Counter increment(String key, Duration window) {
            check();
            return store.increment(key, window);
        }

        @Override
        public void decrement(String key) {
            check();
            store.decrement(key);
        }

        @Override
        public Counter peek(String key) {
            check();
            return store.peek(key);
        }

        @Override
        public void put(String key, String value, Duration ttl) {
            check();
            store.put(key, value, ttl);
        }

        @Override
        public boolean exists(String key) {
            check();
            return store.exists(key);
        }

        @Override
        public void delete(String key) {
            check();
            store.delete(key);
        }

        @Override
        public boolean isShared() {
            return true;
        }
    }

    final ManualClock clock = new ManualClock();
    final SwitchableStore store = new SwitchableStore(clock);

    static AuthProperties limits(int perPair, int perAccount, int perIp) {
        return new AuthProperties(null, null, null, null, null, null, null, perPair, perAccount, perIp,
                Duration.ofMinutes(15), 0, null, null, null, 0, 0, null, 0, null);
    }

    LoginThrottle throttle(int perPair, int perAccount, int perIp) {
        return new LoginThrottle(store, limits(perPair, perAccount, perIp), Duration.ofDays(30), clock);
    }

    @Test
    void anAttemptIsCountedBeforeItsPasswordIsChecked() {
        LoginThrottle throttle = throttle(5, 100, 100);
        for (int i = 0; i < 5; i++) {
            throttle.admitLogin(OWNER, ATTACKER); // never reported: each stays a failure
        }
        assertRefused(() -> throttle.admitLogin(OWNER, ATTACKER), 900);
        // positive control: the same account from another address is admitted
        throttle.admitLogin(OWNER, HOME);
    }

    @Test
    void concurrentAttemptsCannotAllSlipUnderTheLimit() throws Exception {
        LoginThrottle throttle = throttle(5, 100, 100);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                outcomes.add(pool.submit(() -> {
                    go.await();
                    try {
                        throttle.admitLogin(OWNER, ATTACKER);
                        return true;
                    } catch (DomainException refused) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int admitted = 0;
            for (Future<Boolean> f : outcomes) {
                admitted += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
        // the refused ones never reached the address counter: it holds the five admitted
        assertThat(store.peek("bf:ip:" + ATTACKER).count()).isEqualTo(5);
    }

    @Test
    void aRightPasswordClearsTheAccountAndAddressPair() {
        LoginThrottle throttle = throttle(5, 100, 100);
        for (int i = 0; i < 4; i++) {
            throttle.admitLogin(OWNER, HOME);
        }
        throttle.admitLogin(OWNER, HOME).succeeded();
        for (int i = 0; i < 5; i++) {
            throttle.admitLogin(OWNER, HOME);
        }
        assertRefused(() -> throttle.admitLogin(OWNER, HOME), 900);
    }

    @Test
    void successfulSignInsAreGivenBackSoAnOfficeNeverReachesItsAddressLimit() {
        LoginThrottle throttle = throttle(5, 100, 3);
        for (int i = 0; i < 10; i++) {
            throttle.admitLogin("user" + i + "@example.com", "192.0.2.1").succeeded();
        }
        assertThat(store.peek("bf:ip:192.0.2.1").count()).isZero();
        // positive control: failures from that address do reach it
        for (int i = 0; i < 3; i++) {
            throttle.admitLogin("user" + i + "@example.com", "192.0.2.1");
        }
        assertRefused(() -> throttle.admitLogin("user9@example.com", "192.0.2.1"), 900);
    }

    @Test
    void anAttemptThatWasNeverCheckedIsGivenBack() {
        LoginThrottle throttle = throttle(2, 100, 100);
        for (int i = 0; i < 10; i++) {
            throttle.admitLogin(OWNER, ATTACKER).notChecked();
        }
        throttle.admitLogin(OWNER, ATTACKER);
        throttle.admitLogin(OWNER, ATTACKER);
        assertRefused(() -> throttle.admitLogin(OWNER, ATTACKER), 900);
    }

    @Test
    void strangersWhoUseUpTheAccountLimitDoNotShutOutAnAddressThatSignedInBefore() {
        LoginThrottle throttle = throttle(5, 10, 100);
        throttle.admitLogin(OWNER, HOME).succeeded();
        for (int a = 0; a < 2; a++) {
            for (int i = 0; i < 5; i++) {
                throttle.admitLogin(OWNER, "203.0.113." + a);
            }
        }
        assertRefused(() -> throttle.admitLogin(OWNER, "203.0.113.77"), 900);
        assertRefused(() -> throttle.admitLogin(OWNER, "192.0.2.50"), 900);

        throttle.admitLogin(OWNER, HOME).succeeded();
        // the known address keeps its own limit
        for (int i = 0; i < 5; i++) {
            throttle.admitLogin(OWNER, HOME);
        }
        assertRefused(() -> throttle.admitLogin(OWNER, HOME), 900);
    }

    @Test
    void anAddressIsKnownForOneAccountOnly() {
        LoginThrottle throttle = throttle(5, 3, 100);
        throttle.admitLogin("grace@example.com", HOME).succeeded();
        for (int i = 0; i < 3; i++) {
            throttle.admitLogin(OWNER, ATTACKER);
        }
        assertRefused(() -> throttle.admitLogin(OWNER, HOME), 900);
    }

    @Test
    void aKnownAddressIsForgottenAfterItsTtl() {
        LoginThrottle throttle = throttle(5, 3, 100);
        throttle.admitLogin(OWNER, HOME).succeeded();
        clock.advance(Duration.ofDays(31));
        for (int i = 0; i < 3; i++) {
            throttle.admitLogin(OWNER, ATTACKER);
        }
        assertRefused(() -> throttle.admitLogin(OWNER, HOME), 900);
        // positive control: the window ends
        clock.advance(Duration.ofMinutes(15));
        throttle.admitLogin(OWNER, HOME);
    }

    @Test
    void countingContinuesOnThisNodeWhileTheSharedStoreIsDownAndStillCountsAfterwards() {
        LoginThrottle throttle = throttle(5, 100, 100);
        store.down = true;
        for (int i = 0; i < 3; i++) {
            throttle.admitLogin(OWNER, ATTACKER);
        }
        store.down = false;
        throttle.admitLogin(OWNER, ATTACKER);
        throttle.admitLogin(OWNER, ATTACKER);
        assertRefused(() -> throttle.admitLogin(OWNER, ATTACKER), 900);

        store.down = true;
        throttle.admitLogin(OWNER, HOME).succeeded();
        for (int i = 0; i < 5; i++) {
            throttle.admitLogin(OWNER, HOME);
        }
        assertRefused(() -> throttle.admitLogin(OWNER, HOME), 900);
    }

    private void assertRefused(ThrowingCallable call, long maxRetryAfter) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DomainException.class, e -> {
            assertThat(e.kind()).isEqualTo(DomainException.Kind.TOO_MANY_REQUESTS);
            assertThat(e.code()).isEqualTo("too_many_attempts");
            assertThat(e.retryAfterSeconds()).isBetween(1L, maxRetryAfter);
        });
    }
}
