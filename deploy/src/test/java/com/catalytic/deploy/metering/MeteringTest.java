package com.catalytic.deploy.metering;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rate limits, quotas and usage records on one node with real Redis. Plans are shrunk for the test: free = 6
 * requests/minute; starter = a quota of 10 calls/month; professional = no practical limits.
 */
class MeteringTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of(
                "catalytic.plans.free.requests-per-minute", "6",
                "catalytic.plans.starter.api-calls-per-month", "10",
                "catalytic.plans.professional.requests-per-minute", "100000"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void theRateLimitAnswers429WithRetryAfterAndHeadersOnEveryResponse() {
        Account a = Accounts.registerAndLogin(http, "rl-a");
        Account b = Accounts.registerAndLogin(http, "rl-b");
        List<Response> answers = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            answers.add(http.get("/api/me", bearer(a.accessToken())));
        }
        for (int i = 0; i < 6; i++) {
            Response r = answers.get(i);
            assertThat(r.status()).as("call %d", i + 1).isEqualTo(200);
            assertThat(r.header("X-RateLimit-Limit")).isEqualTo("6");
            assertThat(Long.parseLong(r.header("X-RateLimit-Remaining"))).isEqualTo(5 - i);
            assertThat(Long.parseLong(r.header("X-RateLimit-Reset"))).isBetween(1L, 60L);
        }
        Response limited = answers.get(6);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.text("code")).isEqualTo("rate_limited");
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 10L);
        assertThat(limited.header("X-RateLimit-Remaining")).isEqualTo("0");

        // tenant B is untouched by A's exhaustion
        Response other = http.get("/api/me", bearer(b.accessToken()));
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.header("X-RateLimit-Remaining")).isEqualTo("5");

        // Retry-After is honest: after waiting it, a call goes through
        await().pollDelay(Duration.ofSeconds(retryAfter)).atMost(Duration.ofSeconds(retryAfter + 5))
                .untilAsserted(() -> assertThat(http.get("/api/me", bearer(a.accessToken())).status()).isEqualTo(200));
        // public endpoints are not metered
        assertThat(http.get("/api/plans").header("X-RateLimit-Limit")).isNull();
    }

    @Test
    void anApiKeyCanHaveALowerLimitThanItsTenant() {
        Account owner = Accounts.registerAndLogin(http, "keylimit");
        Accounts.changePlan(app, owner.tenantId(), "professional");
        String key = http.post("/api/api-keys", Map.of("name", "slow", "scopes", List.of("users:read"),
                "rate_limit_per_minute", 2), bearer(owner.accessToken())).text("key");
        assertThat(http.get("/api/me", bearer(key)).header("X-RateLimit-Limit")).isEqualTo("2");
        assertThat(http.get("/api/me", bearer(key)).status()).isEqualTo(200);
        assertThat(http.get("/api/me", bearer(key)).status()).isEqualTo(429);
        // the tenant's own limit still has room
        assertThat(http.get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);
    }

    @Test
    void theMonthlyQuotaIsExactAndAnnouncesItsThresholds() {
        Account owner = Accounts.registerAndLogin(http, "quota");
        Accounts.changePlan(app, owner.tenantId(), "starter");
        for (int i = 0; i < 10; i++) {
            assertThat(http.get("/api/me", bearer(owner.accessToken())).status()).as("call %d", i + 1).isEqualTo(200);
        }
        Response over = http.get("/api/me", bearer(owner.accessToken()));
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.text("code")).isEqualTo("quota_exceeded");
        Instant reset = YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        assertThat(over.text("reset_at")).isEqualTo(reset.toString());
        assertThat(Long.parseLong(over.header("Retry-After"))).isPositive();
        // threshold events are appended with the calls' usage (shipped from the journal moments later)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> thresholds = app.jdbc().queryForList("SELECT payload FROM domain_event_entry WHERE "
                            + "payload_type LIKE '%UsageThresholdReachedEvent' ORDER BY global_index", byte[].class)
                    .stream().map(String::new).filter(p -> p.contains(owner.tenantId())).toList();
            assertThat(thresholds).hasSize(2);
            // the count when the threshold was crossed: calls shipped together may cross both at once
            assertThat(thresholds.get(0)).contains("\"thresholdPercent\":80").containsPattern("\"used\":(8|9|10),");
            assertThat(thresholds.get(1)).contains("\"thresholdPercent\":100", "\"used\":10,");
        });
        // an upgrade lifts the block at once
        Accounts.changePlan(app, owner.tenantId(), "professional");
        assertThat(http.get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);
    }

    @Test
    void everyCallIsRecordedAndReported() {
        Account owner = Accounts.registerAndLogin(http, "report");
        Accounts.changePlan(app, owner.tenantId(), "professional");
        Set<String> requestIds = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            Response r = http.get(i % 3 == 0 ? "/api/tenant" : "/api/me", bearer(owner.accessToken()));
            requestIds.add(r.header("X-Request-ID"));
        }
        assertThat(http.get("/api/users/not-there", bearer(owner.accessToken())).status()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM usage_logs WHERE tenant_id = ?", Integer.class, owner.tenantId())).isEqualTo(13));

        Response usage = http.get("/api/usage?granularity=hour", bearer(owner.accessToken()));
        assertThat(usage.status()).as(usage.toString()).isEqualTo(200);
        JsonNode body = usage.json();
        assertThat(body.path("totals").path("calls").asLong()).isEqualTo(13);
        assertThat(body.path("totals").path("errors").asLong()).isEqualTo(1);
        assertThat(body.path("by_endpoint").findValuesAsText("endpoint")).contains("/api/me", "/api/tenant",
                "/api/users/{id}");
        assertThat(body.path("quota").path("plan").asText()).isEqualTo("professional");
        assertThat(body.path("quota").path("used").asLong()).isGreaterThanOrEqualTo(13);
        assertThat(body.path("series").size()).isBetween(1, 2);
        assertThat(body.path("series").path(0).path("calls").asLong()).isPositive();

        // newest first, three at a time, every call exactly once
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Response page = http.get("/api/usage/logs?limit=3" + (cursor == null ? "" : "&cursor=" + cursor),
                    bearer(owner.accessToken()));
            assertThat(page.status()).isEqualTo(200);
            page.json().path("logs").forEach(l -> seen.add(l.path("request_id").asText()));
            cursor = page.json().path("next_cursor").isNull() ? null : page.text("next_cursor");
        } while (cursor != null);
        assertThat(seen).doesNotHaveDuplicates().containsAll(requestIds);
        assertThat(http.get("/api/usage?granularity=week", bearer(owner.accessToken())).status()).isEqualTo(422);
        assertThat(http.get("/api/usage?from=yesterday", bearer(owner.accessToken())).status()).isEqualTo(422);
        assertThat(http.get("/api/usage/logs?cursor=not-a-cursor", bearer(owner.accessToken())).status()).isBetween(400, 422);
    }
}
