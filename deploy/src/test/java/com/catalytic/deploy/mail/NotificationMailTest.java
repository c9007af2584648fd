package com.catalytic.deploy.mail;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.tenant.TenantCommands.SuspendTenantCommand;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Outbox;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * E-mails caused by events (welcome, usage threshold, account suspended): rendered from the templates with the
 * customer's values escaped, queued once per event and recipient, delivered by the mail queue.
 */
class NotificationMailTest {

    static Path outbox;
    static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        outbox = Files.createTempDirectory("catalytic-outbox-");
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.mail.outbox-dir", outbox.toString(),
                "catalytic.plans.starter.api-calls-per-month", "5"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static List<String> mailsTo(String email) {
        return Outbox.messagesTo(outbox, email);
    }

    @Test
    void welcomeUsageThresholdAndSuspensionMailsReachTheOwner() throws Exception {
        String email = Accounts.uniqueEmail("notify");
        String company = "Ada & <b>Lovelace</b> Ltd";
        Http.Response reg = app.http().post("/auth/register", Http.registration(email, Accounts.PASSWORD, company));
        assertThat(reg.status()).isEqualTo(201);
        String tenantId = reg.text("tenant_id");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(mailsTo(email)).hasSize(1));
        String welcome = mailsTo(email).get(0);
        assertThat(welcome).contains("Subject: Welcome to Catalytic Computing, " + company,
                "Ada &amp; &lt;b&gt;Lovelace&lt;/b&gt; Ltd").doesNotContain("<strong>Ada & <b>");

        Http.Response login = app.http().post("/auth/login", Map.of("email", email, "password", Accounts.PASSWORD));
        Accounts.changePlan(app, tenantId, "starter"); // 5 calls a month here: 80 % is the 4th
        for (int i = 0; i < 4; i++) {
            assertThat(app.http().get("/api/me", bearer(login.text("access_token"))).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(mailsTo(email)).hasSize(2));
        assertThat(mailsTo(email)).anySatisfy(m -> assertThat(m)
                .contains("has used 80 % of its monthly API calls", "has used 4 of the 5 API calls"));

        app.bean(CommandGateway.class).sendAndWait(new SuspendTenantCommand(tenantId, "unpaid <invoice>",
                Actor.system()));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(mailsTo(email)).hasSize(3));
        assertThat(mailsTo(email)).anySatisfy(m -> assertThat(m)
                .contains("is suspended", "suspended: unpaid &lt;invoice&gt;."));
        // each event's message is queued once: with every event handled and the queue empty, nothing further arrives
        Outbox.awaitQuiet(app);
        assertThat(mailsTo(email)).hasSize(3);
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM mail_queue WHERE recipient = ?", Long.class, email))
                .isEqualTo(3);
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM mail_queue WHERE recipient = ? AND sent_at IS NOT "
                + "NULL", Long.class, email)).isEqualTo(3);
    }
}
