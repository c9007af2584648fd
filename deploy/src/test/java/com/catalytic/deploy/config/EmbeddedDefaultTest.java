package com.catalytic.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.StripePayloads;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no configuration at all the system runs on its embedded default (H2 file under the data directory, dev keys,
 * in-process Redis stand-in), and its state survives a restart.
 */
class EmbeddedDefaultTest {

    @TempDir
    Path dataDir;

    @Test
    void registerThenLoginAgainAfterARestart() {
        Map<String, String> props = Map.of(
                "server.port", "0",
                "CATALYTIC_DATA_DIR", dataDir.toString(),
                "REDIS_HOST", "",
                "DATABASE_URL", "",
                "catalytic.plans.free.users", "5");
        String email = Accounts.uniqueEmail("embedded");
        try (TestApp first = TestApp.startWith(props)) {
            Response health = first.http().get("/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.text("status")).isEqualTo("healthy");
            assertThat(health.json().path("checks").path("redis").path("mode").asText()).isEqualTo("in-process");
            assertThat(first.http().post("/auth/register", Http.registration(email, Accounts.PASSWORD, "Embedded Ltd"))
                    .status()).isEqualTo(201);
        }
        assertThat(Files.exists(dataDir.resolve("catalytic.mv.db"))).as("database file under the data directory").isTrue();
        assertThat(Files.exists(dataDir.resolve("keys").resolve("jwt_dev_private.pem"))).isTrue();

        try (TestApp second = TestApp.startWith(props)) {
            Response login = second.http().post("/auth/login", Map.of("email", email, "password", Accounts.PASSWORD));
            assertThat(login.status()).as(login.toString()).isEqualTo(200);
            Response me = second.http().get("/api/me", Http.bearer(login.text("access_token")));
            assertThat(me.status()).isEqualTo(200);
            assertThat(me.text("email")).isEqualTo(email);
            // metered on the embedded database too, and an invitation goes through the mail queue to the outbox
            String invitee = Accounts.uniqueEmail("invitee");
            Response invited = second.http().post("/api/users", Map.of("email", invitee, "role", "viewer"),
                    Http.bearer(login.text("access_token")));
            assertThat(invited.status()).as(invited.toString()).isEqualTo(201);
            // the node's heartbeat (segment shares) works on the embedded database as on PostgreSQL
            assertThat(second.bean(ProcessingNodes.class).shares()).as("segment shares").containsEntry("usage", 2);
            assertThat(second.jdbc().queryForList("SELECT node_id FROM processing_nodes", String.class))
                    .containsExactly(second.bean(ProcessingNodes.class).nodeId());
            Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(second.jdbc().queryForObject("SELECT COUNT(*) FROM usage_logs", Long.class)).isPositive();
                assertThat(second.jdbc().queryForObject("SELECT COUNT(*) FROM mail_queue WHERE recipient = ? "
                        + "AND sent_at IS NOT NULL", Long.class, invitee)).isEqualTo(1);
                try (var files = Files.list(dataDir.resolve("outbox"))) {
                    assertThat(files.filter(f -> {
                        try {
                            return Files.readString(f).contains("To: " + invitee + "\r\n");
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).count()).isEqualTo(1);
                }
            });
        }
    }

    /** Billing works on the embedded database too: a signed Stripe event is recorded once and moves the plan. */
    @Test
    void stripeEventsAreRecordedOnTheEmbeddedDatabase() throws Exception {
        try (FakeStripe stripe = new FakeStripe()) {
            Map<String, String> props = stripe.appSettings();
            props.putAll(Map.of("server.port", "0", "CATALYTIC_DATA_DIR", dataDir.toString(), "REDIS_HOST", "",
                    "DATABASE_URL", ""));
            try (TestApp app = TestApp.startWith(props)) {
                Accounts.Account owner = Accounts.registerAndLogin(app.http(), "embedded-billing");
                long now = System.currentTimeMillis() / 1000;
                String payload = StripePayloads.event("evt_embedded_1", "customer.subscription.created", now,
                        StripePayloads.subscription("sub_embedded_1", owner.tenantId(), "cus_embedded_1", "active",
                                "professional_month", now, null));
                for (int delivery = 1; delivery <= 2; delivery++) { // the second is Stripe's redelivery: a no-op
                    Response r = app.http().postRaw("/webhooks/stripe", payload, "application/json",
                            "Stripe-Signature", StripePayloads.sign(payload));
                    assertThat(r.status()).as("delivery %d: %s", delivery, r).isEqualTo(200);
                }
                assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM stripe_events WHERE id = 'evt_embedded_1' "
                        + "AND processed_at IS NOT NULL", Integer.class)).isEqualTo(1);
                Response me = app.http().get("/api/tenant", Http.bearer(owner.accessToken()));
                assertThat(me.text("plan")).as(me.toString()).isEqualTo("professional");
            }
        }
    }
}
