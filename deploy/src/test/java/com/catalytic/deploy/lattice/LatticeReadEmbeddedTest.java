package com.catalytic.deploy.lattice;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.LatticeEvents;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lattice read tables on the embedded H2 database: exact counts and JSON operation summaries, after a restart. */
class LatticeReadEmbeddedTest {

    @TempDir
    Path dataDir;

    @Test
    void latticesAndTheirOperationsReadBackExactlyOnTheEmbeddedDatabase() {
        Map<String, String> props = Map.of("server.port", "0", "CATALYTIC_DATA_DIR", dataDir.toString(),
                "REDIS_HOST", "", "DATABASE_URL", "");
        String lattice;
        Account owner;
        try (TestApp app = TestApp.startWith(props)) {
            owner = Accounts.registerAndLogin(app.http(), "embedded-lattice");
            LatticeEvents events = new LatticeEvents(app, owner.tenantId(), owner.userId());
            lattice = events.create("big", 10, 1000);
            events.operation(lattice, 1, "path", Map.of("start", List.of(0, 0), "end", List.of(9, 9)),
                    Map.of("reachable", true, "length", 18, "vertices_explored", new BigInteger("12345678901234567890")),
                    Instant.parse("2026-04-01T00:00:00Z"));
        }
        try (TestApp app = TestApp.startWith(props)) {
            Account again = Accounts.login(app.http(), owner.email(), Accounts.PASSWORD);
            String[] auth = bearer(again.accessToken());
            Response got = app.http().get("/api/lattices/" + lattice, auth);
            assertThat(got.status()).as("%s", got).isEqualTo(200);
            assertThat(got.json().path("vertices").bigIntegerValue()).isEqualTo(BigInteger.TEN.pow(30));
            Response ops = app.http().get("/api/lattices/" + lattice + "/operations", auth);
            assertThat(ops.status()).as("%s", ops).isEqualTo(200);
            JsonNode op = ops.json().path("operations").get(0);
            assertThat(op.path("parameters").path("end").toString()).isEqualTo("[9,9]");
            assertThat(op.path("result").path("vertices_explored").bigIntegerValue())
                    .isEqualTo(new BigInteger("12345678901234567890"));
            assertThat(op.path("result").path("reachable").asBoolean()).isTrue();
        }
    }
}
