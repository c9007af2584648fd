package com.catalytic.deploy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.credentials.PasswordHasher;
import com.catalytic.infrastructure.store.KeyValueStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Brute force over HTTP at the production limits (5 failures per account and address, 25 per account, 50 per
 * address): concurrent guesses are counted before the password is checked, and strangers who use up an account's
 * limit do not lock its owner out of the addresses the owner signed in from.
 */
class LoginThrottleTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of(
                "catalytic.auth.max-failures-per-account-and-ip", "5",
                "catalytic.auth.max-failures-per-account", "25",
                "catalytic.auth.max-failures-per-ip", "50",
                "catalytic.auth.password-hashing.max-concurrent", "2",
                "catalytic.auth.password-hashing.max-wait", "60s"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void concurrentGuessesAreCountedBeforeThePasswordIsChecked() throws Exception {
        String email = register("burst", "198.51.100.10");
        PasswordHasher hasher = app.bean(PasswordHasher.class);
        long checksBefore = hasher.checks();
        int requests = 300;
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                String guess = "wrong-guess-" + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    try {
                        return login(email, guess, "203.0.113.7");
                    } catch (AssertionError noAnswer) {
                        return new Response(-1, null, noAnswer.getMessage());
                    }
                }));
            }
            go.countDown();
            List<Response> responses = new ArrayList<>();
            for (Future<Response> f : answers) {
                responses.add(f.get(120, TimeUnit.SECONDS));
            }
            assertThat(responses).filteredOn(r -> r.status() == 401).as("guesses checked against the password")
                    .hasSize(5).allMatch(r -> "invalid_credentials".equals(r.text("code")));
            assertThat(responses).filteredOn(r -> r.status() == 429).as("guesses refused before the check")
                    .hasSize(requests - 5)
                    .allMatch(r -> "too_many_attempts".equals(r.text("code")))
                    .allMatch(r -> Long.parseLong(r.header("Retry-After")) >= 1
                            && Long.parseLong(r.header("Retry-After")) <= 900);
        } finally {
            pool.shutdownNow();
        }
        assertThat(hasher.checks() - checksBefore).as("passwords checked").isEqualTo(5);
        assertThat(hasher.peakConcurrency()).as("hashes at once").isBetween(1, 2);
        // the refused guesses were taken back off the counters in Redis: they hold the five failures
        assertThat(app.bean(KeyValueStore.class).peek("bf:ip:203.0.113.7").count()).isEqualTo(5);
        // positive control: the account itself is not locked, its owner signs in from another address
        assertThat(login(email, Accounts.PASSWORD, "198.51.100.10").status()).isEqualTo(200);
    }

    @Test
    void strangersWhoUseUpTheAccountLimitDoNotLockTheOwnerOutOfAKnownAddress() {
        String email = register("owner", "198.51.100.20");
        Response first = login(email, Accounts.PASSWORD, "198.51.100.20");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);

        // five attacking addresses, five wrong guesses each: the account's 25 are used up
        for (int a = 1; a <= 5; a++) {
            for (int i = 0; i < 5; i++) {
                Response guess = login(email, "guess-" + a + "-" + i, "203.0.113." + (10 + a));
                assertThat(guess.status()).as(guess.toString()).isEqualTo(401);
            }
        }
        Response sixth = login(email, "guess-6", "203.0.113.16");
        assertThat(sixth.status()).as(sixth.toString()).isEqualTo(429);
        assertThat(sixth.text("code")).isEqualTo("too_many_attempts");

        // the owner, from the address they signed in from before, still gets in
        Response owner = login(email, Accounts.PASSWORD, "198.51.100.20");
        assertThat(owner.status()).as(owner.toString()).isEqualTo(200);
        assertThat(owner.text("access_token")).isNotBlank();

        // an address that never signed in is refused, even with the right password, until the window ends
        Response stranger = login(email, Accounts.PASSWORD, "192.0.2.30");
        assertThat(stranger.status()).as(stranger.toString()).isEqualTo(429);
        assertThat(stranger.text("code")).isEqualTo("too_many_attempts");
        assertThat(Long.parseLong(stranger.header("Retry-After"))).isBetween(1L, 900L);
    }

    @Test
    void aKnownAddressKeepsItsOwnLimit() {
        String email = register("known", "198.51.100.40");
        assertThat(login(email, Accounts.PASSWORD, "198.51.100.40").status()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            Response guess = login(email, "guess-" + i, "198.51.100.40");
            assertThat(guess.status()).as(guess.toString()).isEqualTo(401);
        }
        Response blocked = login(email, Accounts.PASSWORD, "198.51.100.40");
        assertThat(blocked.status()).as(blocked.toString()).isEqualTo(429);
        assertThat(blocked.text("code")).isEqualTo("too_many_attempts");
        // positive control: the same account from another address is not refused
        assertThat(login(email, Accounts.PASSWORD, "198.51.100.41").status()).isEqualTo(200);
    }

    private static String register(String hint, String ip) {
        String email = Accounts.uniqueEmail(hint);
        Response reg = http.post("/auth/register", Http.registration(email, Accounts.PASSWORD, hint + " Ltd"),
                "X-Forwarded-For", ip);
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        return email;
    }

    private static Response login(String email, String password, String ip) {
        return http.post("/auth/login", Map.of("email", email, "password", password), "X-Forwarded-For", ip);
    }
}
