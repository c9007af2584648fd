package com.catalytic.deploy.audit;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code catalytic audit verify-export}: an auditor holding an export, a signed checkpoint and the service's public
 * keys checks the trail without the database. The intact export passes; a changed byte, a deleted row, a reordered
 * pair and a truncated tail each fail, naming the first bad row.
 */
class AuditExportVerifyTest {

    @TempDir
    Path dir;

    record Run(int exit, String out) {
    }

    @Test
    void anExportIsVerifiedOfflineAgainstASignedCheckpoint() throws Exception {
        String schema = TestApp.newSchema();
        List<String> rows;
        Path checkpoint = dir.resolve("checkpoint.json");
        Path jwks = dir.resolve("jwks.json");
        try (TestApp app = TestApp.start(schema, Map.of("catalytic.plans.free.users", "10"))) {
            Http http = app.http();
            Account owner = Accounts.registerAndLogin(http, "auditor");
            String[] auth = bearer(owner.accessToken());
            for (int i = 0; i < 3; i++) {
                assertThat(http.post("/api/users", Map.of("email", Accounts.uniqueEmail("m" + i), "role", "viewer",
                        "password", Accounts.PASSWORD), auth).status()).isEqualTo(201);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> app.jdbc().queryForObject(
                    "SELECT count(*) FROM audit_logs WHERE tenant_id = ?", Long.class, owner.tenantId()) >= 8);
            Http.Response signed = http.get("/api/audit-logs/checkpoint", auth);
            assertThat(signed.status()).isEqualTo(200);
            Files.writeString(checkpoint, signed.raw());
            // more happens after the checkpoint: the export runs past it, which is fine
            assertThat(http.post("/api/users", Map.of("email", Accounts.uniqueEmail("late"), "role", "viewer",
                    "password", Accounts.PASSWORD), auth).status()).isEqualTo(201);
            Files.writeString(jwks, http.get("/.well-known/jwks.json").raw());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(http.get("/api/audit-logs/export",
                    auth).raw().lines().count()).isGreaterThan(signed.json().path("count").asLong()));
            rows = http.get("/api/audit-logs/export", auth).raw().lines().toList();
        } finally {
            TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        assertThat(rows.size()).isGreaterThanOrEqualTo(9);

        Run intact = verify(rows);
        assertThat(intact.exit()).as(intact.out()).isZero();
        assertThat(intact.out()).contains("OK").contains("complete and unchanged");

        List<String> changed = new ArrayList<>(rows);
        changed.set(2, changed.get(2).replace("\"action\":\"", "\"action\":\"x"));
        assertThat(changed).isNotEqualTo(rows);
        assertBroken(verify(changed), "line 3 (entry 3", "does not match its hash");

        List<String> deleted = new ArrayList<>(rows);
        deleted.remove(3);
        assertBroken(verify(deleted), "line 4 (entry 5", "expected entry 4");

        List<String> reordered = new ArrayList<>(rows);
        reordered.set(4, rows.get(5));
        reordered.set(5, rows.get(4));
        assertBroken(verify(reordered), "line 5 (entry 6", "expected entry 5");

        List<String> truncated = rows.subList(0, 4);
        assertBroken(verify(truncated), "the export ends at entry 4", "missing (truncated)");
    }

    private static void assertBroken(Run run, String where, String why) {
        assertThat(run.exit()).as(run.out()).isEqualTo(1);
        assertThat(run.out()).contains("BROKEN").contains(where).contains(why);
    }

    private Run verify(List<String> rows) throws Exception {
        Path export = Files.createTempFile(dir, "export", ".ndjson");
        Files.write(export, rows, StandardCharsets.UTF_8);
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true));
        try {
            int exit = new CommandLine(new CatalyticMain()).execute("audit", "verify-export", export.toString(),
                    "--checkpoint", dir.resolve("checkpoint.json").toString(), "--public-key",
                    dir.resolve("jwks.json").toString());
            return new Run(exit, buffer.toString());
        } finally {
            System.setOut(original);
        }
    }
}
