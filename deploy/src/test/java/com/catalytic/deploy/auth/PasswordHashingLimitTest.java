package com.catalytic.deploy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.credentials.PasswordHasher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Argon2id takes 16 MiB a hash. Guesses from many addresses each pass the login limits, so the hashing itself is
 * bounded: one at a time here, the excess waits 50 ms and is then told 503 {@code busy} with {@code Retry-After};
 * sign-ups, which hash inside the tenant aggregate, go through the same bound.
 */
class PasswordHashingLimitTest {

    static TestApp app;
    static Http http;
    static PasswordHasher hasher;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of(
                "catalytic.auth.password-hashing.max-concurrent", "1",
                "catalytic.auth.password-hashing.max-wait", "50ms"));
        http = app.http();
        hasher = app.bean(PasswordHasher.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void guessesFromManyAddressesBeyondTheHashingBoundAreToldBusy() throws Exception {
        long checksBefore = hasher.checks();
        List<Response> responses = concurrently(200, i -> () -> http.post("/auth/login",
                Map.of("email", Accounts.uniqueEmail("nobody"), "password", "wrong-guess-" + i),
                "X-Forwarded-For", "203.0.113." + i));

        List<Response> checked = responses.stream().filter(r -> r.status() == 401).toList();
        List<Response> busy = responses.stream().filter(r -> r.status() == 503).toList();
        assertThat(checked.size() + busy.size()).as("every answer is 401 or 503: %s", responses).isEqualTo(200);
        assertThat(checked).isNotEmpty().allMatch(r -> "invalid_credentials".equals(r.text("code")));
        assertThat(busy).as("answers past the hashing bound").isNotEmpty()
                .allMatch(r -> "busy".equals(r.text("code")))
                .allMatch(r -> "1".equals(r.header("Retry-After")));
        assertThat(hasher.checks() - checksBefore).as("passwords checked").isEqualTo(checked.size());
        assertThat(hasher.peakConcurrency()).as("hashes at once").isEqualTo(1);

        // positive control: once the burst is over, a sign-in goes through
        Accounts.Account account = Accounts.registerAndLogin(http, "after-burst");
        assertThat(account.accessToken()).isNotBlank();
    }

    @Test
    void signUpsBeyondTheHashingBoundAreToldBusyAndLeaveNothingBehind() throws Exception {
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            emails.add(Accounts.uniqueEmail("signup" + i));
        }
        List<Response> responses = concurrently(40, i -> () -> http.post("/auth/register",
                Http.registration(emails.get(i), Accounts.PASSWORD, "Concurrent " + i),
                "X-Forwarded-For", "198.51.100." + i));

        List<String> refused = new ArrayList<>();
        for (int i = 0; i < responses.size(); i++) {
            Response r = responses.get(i);
            assertThat(r.status()).as(r.toString()).isIn(201, 503);
            if (r.status() == 503) {
                assertThat(r.text("code")).isEqualTo("busy");
                assertThat(r.header("Retry-After")).isEqualTo("1");
                refused.add(emails.get(i));
            }
        }
        assertThat(refused).as("sign-ups past the hashing bound").isNotEmpty();
        assertThat(hasher.peakConcurrency()).as("hashes at once").isEqualTo(1);
        // a refused sign-up claimed nothing: the same address registers when it tries again
        for (String email : refused) {
            Response again = http.post("/auth/register", Http.registration(email, Accounts.PASSWORD, "Retried"));
            assertThat(again.status()).as(again.toString()).isEqualTo(201);
        }
        Integer users = app.jdbc().queryForObject("SELECT COUNT(*) FROM users WHERE email LIKE 'signup%'",
                Integer.class);
        assertThat(users).isEqualTo(40);
    }

    private static List<Response> concurrently(int n, IntFunction<Callable<Response>> request)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Callable<Response> call = request.apply(i);
                answers.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<Response> responses = new ArrayList<>();
            for (Future<Response> f : answers) {
                responses.add(f.get(120, TimeUnit.SECONDS));
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }
}
