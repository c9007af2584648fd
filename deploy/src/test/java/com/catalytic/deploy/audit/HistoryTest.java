package com.catalytic.deploy.audit;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Aggregate history and point-in-time state, checked against what the read endpoints said at the time. */
class HistoryTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of());
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static Instant pause() throws InterruptedException {
        Thread.sleep(20); // instants on either side of a change must differ
        Instant at = Instant.now();
        Thread.sleep(20);
        return at;
    }

    @Test
    void stateAsOfAnInstantEqualsWhatTheReadSideAnsweredThen() throws Exception {
        Account owner = Accounts.registerAndLogin(http, "asof");
        String[] auth = bearer(owner.accessToken());
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String memberId = http.post("/api/users", Map.of("email", Accounts.uniqueEmail("m"), "role", "member",
                "password", Accounts.PASSWORD), auth).text("id");
        String keyId = http.post("/api/api-keys", Map.of("name", "before", "scopes", List.of("users:read")), auth)
                .text("id");

        // captured at t1
        JsonNode tenantThen = http.get("/api/tenant", auth).json();
        JsonNode memberThen = http.get("/api/users/" + memberId, auth).json();
        JsonNode keyThen = http.get("/api/api-keys", auth).json().path("api_keys").path(0);
        Instant t1 = pause();

        http.method("PATCH", "/api/tenant", "{\"name\":\"Renamed Later\"}", auth);
        http.method("PATCH", "/api/users/" + memberId, "{\"role\":\"viewer\"}", auth);
        http.method("DELETE", "/api/api-keys/" + keyId, null, auth);
        Accounts.changePlan(app, owner.tenantId(), "professional");

        Response atT1 = http.get("/api/history/tenant/" + owner.tenantId() + "/state?at=" + t1, auth);
        assertThat(atT1.status()).as(atT1.toString()).isEqualTo(200);
        JsonNode tenantAtT1 = atT1.json();
        assertThat(tenantAtT1.path("state").path("name").asText()).isEqualTo(tenantThen.path("name").asText());
        assertThat(tenantAtT1.path("state").path("plan").asText()).isEqualTo(tenantThen.path("plan").asText());
        assertThat(tenantAtT1.path("state").path("members").path(memberId).path("role").asText())
                .isEqualToIgnoringCase(memberThen.path("role").asText());
        JsonNode keyAtT1 = http.get("/api/history/api_key/" + keyId + "/state?at=" + t1, auth).json();
        assertThat(keyAtT1.path("state").path("revoked").asBoolean()).isEqualTo(!"active".equals(keyThen.path("status").asText()));
        assertThat(keyAtT1.path("state").path("name").asText()).isEqualTo(keyThen.path("name").asText());

        JsonNode tenantNow = http.get("/api/history/tenant/" + owner.tenantId() + "/state", auth).json();
        assertThat(tenantNow.path("state").path("name").asText()).isEqualTo("Renamed Later");
        assertThat(tenantNow.path("state").path("plan").asText()).isEqualTo("professional");
        assertThat(tenantNow.path("state").path("members").path(memberId).path("role").asText()).isEqualTo("VIEWER");
        assertThat(http.get("/api/history/api_key/" + keyId + "/state", auth).json().path("state").path("revoked")
                .asBoolean()).isTrue();
        // before it existed, it did not exist
        Response before = http.get("/api/history/api_key/" + keyId + "/state?at=2000-01-01T00:00:00Z", auth);
        assertThat(before.status()).isEqualTo(404);
    }

    @Test
    void theEventsOfAnAggregateInOrderWithoutSecrets() {
        Account owner = Accounts.registerAndLogin(http, "events");
        String[] auth = bearer(owner.accessToken());
        Response user = http.get("/api/history/user/" + owner.userId(), auth);
        assertThat(user.status()).as(user.toString()).isEqualTo(200);
        JsonNode events = user.json().path("events");
        assertThat(events.path(0).path("type").asText()).isEqualTo("UserRegisteredEvent");
        assertThat(events.path(0).path("sequence").asLong()).isZero();
        assertThat(events.path(0).path("revision").asText()).isEqualTo("1");
        assertThat(events.path(0).path("payload").path("email").asText()).isEqualTo(owner.email());
        assertThat(user.raw()).doesNotContain("password_hash", "$argon2");
        assertThat(events.path(0).path("metadata").path("tenant_id").asText()).isEqualTo(owner.tenantId());

        Response tenant = http.get("/api/history/tenant/" + owner.tenantId(), auth);
        List<String> types = new ArrayList<>();
        tenant.json().path("events").forEach(e -> types.add(e.path("type").asText()));
        assertThat(types).startsWith("TenantRegisteredEvent");

        // another tenant's aggregates, unknown types and ids are not found
        Account other = Accounts.registerAndLogin(http, "other");
        assertThat(http.get("/api/history/tenant/" + owner.tenantId(), bearer(other.accessToken())).status()).isEqualTo(404);
        assertThat(http.get("/api/history/user/" + owner.userId(), bearer(other.accessToken())).status()).isEqualTo(404);
        assertThat(http.get("/api/history/user/" + owner.userId() + "/state", bearer(other.accessToken())).status())
                .isEqualTo(404);
        assertThat(http.get("/api/history/tenant/" + owner.userId(), auth).status()).as("wrong type for the id")
                .isEqualTo(404);
        assertThat(http.get("/api/history/invoice/x", auth).status()).isEqualTo(404);
        assertThat(http.get("/api/history/user/" + owner.userId() + "/state?at=yesterday", auth).status()).isEqualTo(422);
    }

    @Test
    void theEventsComePagedInSequenceOrderWithACursor() {
        Account owner = Accounts.registerAndLogin(http, "pages");
        String[] auth = bearer(owner.accessToken());
        for (int i = 1; i <= 5; i++) {
            Response renamed = http.method("PATCH", "/api/tenant", "{\"name\":\"Pages " + i + "\"}", auth);
            assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        }
        String path = "/api/history/tenant/" + owner.tenantId();
        Response all = http.get(path + "?limit=1000", auth);
        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        assertThat(all.json().path("next_cursor").isNull()).isTrue();
        List<String> expected = new ArrayList<>();
        all.json().path("events").forEach(e -> expected.add(e.path("sequence").asLong() + " " + e.path("event_id").asText()));
        assertThat(expected).hasSizeGreaterThanOrEqualTo(6);
        assertThat(expected.get(0)).startsWith("0 ");

        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = http.get(path + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), auth);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            assertThat(page.json().path("events").size()).isBetween(1, 2);
            page.json().path("events").forEach(e -> paged.add(e.path("sequence").asLong() + " "
                    + e.path("event_id").asText()));
            cursor = page.json().path("next_cursor").isNull() ? null : page.text("next_cursor");
            pages++;
        } while (cursor != null && pages < 100);
        assertThat(paged).isEqualTo(expected);
        assertThat(pages).isEqualTo((expected.size() + 1) / 2);

        Map.of("limit=0", 422, "limit=1001", 422, "limit=x", 400, "cursor=x", 422, "cursor=-2", 422)
                .forEach((bad, status) -> {
                    Response r = http.get(path + "?" + bad, auth);
                    assertThat(r.status()).as(bad + ": " + r).isEqualTo(status);
                });
        assertThat(http.get(path + "?cursor=1", bearer(Accounts.registerAndLogin(http, "pager").accessToken()))
                .status()).as("another tenant's page").isEqualTo(404);
    }
}
