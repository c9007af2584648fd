package com.catalytic.deploy.lattice;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Through the write endpoints: what POST answers is what GET shows, at once (the projection is subscribing); each
 * computation is listed newest first with its summary; DELETE makes the lattice 404 at once; the audit trail tells
 * the whole story under the lattice's id.
 */
class LatticeReadAfterWriteTest {

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

    @Test
    void whatIsWrittenIsReadAtOnceAndDeletedIsGoneAtOnce() {
        Account owner = Accounts.registerAndLogin(http, "lattice-e2e");
        Accounts.changePlan(app, owner.tenantId(), "professional");
        String[] auth = bearer(owner.accessToken());

        // 100^10 vertices: beyond a long
        Response big = expect(201, http.post("/api/lattices", Map.of("name", "wide", "dimensions", 10, "size", 100),
                auth));
        Response created = expect(201, http.post("/api/lattices", Map.of("name", "walled", "dimensions", 2, "size", 5,
                "obstacles", List.of(List.of(1, 0), List.of(1, 1), List.of(1, 2), List.of(1, 3))), auth));
        String id = created.text("id");

        assertThat(expect(200, http.get("/api/lattices/" + id, auth)).json()).isEqualTo(created.json());
        JsonNode wide = expect(200, http.get("/api/lattices/" + big.text("id"), auth)).json();
        assertThat(wide).isEqualTo(big.json());
        assertThat(wide.path("vertices").bigIntegerValue()).isEqualTo(BigInteger.TEN.pow(20));
        JsonNode list = expect(200, http.get("/api/lattices", auth)).json();
        assertThat(list.path("lattices")).containsExactly(created.json(), big.json());

        JsonNode path = expect(200, http.post("/api/lattices/" + id + "/path", Map.of("start", List.of(0, 0),
                "end", List.of(4, 0)), auth)).json();
        assertThat(path.path("reachable").asBoolean()).isTrue();
        JsonNode analysis = expect(200, http.post("/api/lattices/" + id + "/analyze", Map.of(), auth)).json();

        JsonNode operations = expect(200, http.get("/api/lattices/" + id + "/operations", auth)).json()
                .path("operations");
        assertThat(operations).hasSize(2);
        JsonNode analyzed = operations.get(0);
        assertThat(analyzed.path("operation").asText()).isEqualTo("analyze");
        assertThat(analyzed.path("result").path("components").asLong())
                .isEqualTo(analysis.path("components").asLong());
        JsonNode pathed = operations.get(1);
        assertThat(pathed.path("operation").asText()).isEqualTo("path");
        assertThat(pathed.path("parameters").path("start").toString()).isEqualTo("[0,0]");
        assertThat(pathed.path("parameters").path("end").toString()).isEqualTo("[4,0]");
        assertThat(pathed.path("result").path("length").asLong()).isEqualTo(path.path("length").asLong());
        assertThat(pathed.path("result").has("path")).as("a summary, never the whole path").isFalse();
        assertThat(pathed.path("performed_by").asText()).isEqualTo(owner.userId());
        assertThat(pathed.path("compute_units").asLong()).isPositive();

        expect(204, http.method("DELETE", "/api/lattices/" + id, null, auth));
        for (String gone : List.of("/api/lattices/" + id, "/api/lattices/" + id + "/operations")) {
            Response r = http.get(gone, auth);
            assertThat(r.status()).as("%s -> %s", gone, r).isEqualTo(404);
            assertThat(r.text("code")).isEqualTo("not_found");
        }
        assertThat(expect(200, http.get("/api/lattices", auth)).json().path("lattices"))
                .containsExactly(big.json());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.jdbc().queryForList(
                "SELECT action FROM audit_logs WHERE tenant_id = ? AND target_type = 'lattice' AND target_id = ? "
                        + "ORDER BY seq", String.class, owner.tenantId(), id)).containsExactly("tenant.lattice_added",
                "lattice.created", "lattice.path_computed", "lattice.analyzed", "lattice.deleted",
                "tenant.lattice_released"));
        JsonNode verified = expect(200, http.get("/api/audit-logs/verify", auth)).json();
        assertThat(verified.path("valid").asBoolean()).as("%s", verified).isTrue();
    }

    static Response expect(int status, Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        return r;
    }
}
