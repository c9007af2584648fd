package com.catalytic.deploy.audit;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.auth.Actor;
import com.catalytic.api.tenant.TenantCommands.AddUserCommand;
import com.catalytic.api.tenant.TenantCommands.ReinstateTenantCommand;
import com.catalytic.api.user.Role;
import com.catalytic.command.infra.Hashing;
import java.time.Instant;
import com.catalytic.api.tenant.TenantCommands.SuspendTenantCommand;
import com.catalytic.api.user.UserMessages.RequestPasswordResetCommand;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import com.catalytic.api.billing.SubscriptionCommands;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.serialization.Revision;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/**
 * The audit trail: one row per event with actor and context, a per-tenant hash chain that detects a changed byte
 * and a deleted row, and an API and a CLI that agree.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditTrailTest {

    static String schema = TestApp.newSchema();
    static TestApp app;
    static Http http;
    static Account owner;

    @BeforeAll
    static void start() {
        app = TestApp.start(schema, Map.of("catalytic.plans.starter.api-calls-per-month", "40"));
        http = app.http();
        owner = everyKindOfEvent();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A history that produces every event type the system has. */
    static Account everyKindOfEvent() {
        Account o = Accounts.registerAndLogin(http, "audit");
        String[] auth = bearer(o.accessToken());
        Response refreshed = http.post("/auth/refresh", Map.of("refresh_token", o.refreshToken()));
        http.post("/auth/refresh", Map.of("refresh_token", o.refreshToken())); // reuse: session revoked
        o = Accounts.login(http, o.email(), Accounts.PASSWORD);
        Account owner = new Account(o.email(), refreshed.text("x") == null ? null : null, null, o.accessToken(),
                o.refreshToken());
        auth = bearer(owner.accessToken());
        http.method("PATCH", "/api/tenant", "{\"name\":\"Audited Ltd\"}", auth);
        String tenantId = http.get("/api/me", auth).json().path("tenant").path("id").asText();
        Accounts.changePlan(app, tenantId, "starter");
        String memberEmail = Accounts.uniqueEmail("member");
        String memberId = http.post("/api/users", Map.of("email", memberEmail, "role", "member", "password",
                Accounts.PASSWORD), auth).text("id");
        http.method("PATCH", "/api/users/" + memberId, "{\"role\":\"viewer\"}", auth);
        http.method("PATCH", "/api/users/" + memberId, "{\"active\":false}", auth);
        http.method("PATCH", "/api/users/" + memberId, "{\"active\":true}", auth);
        http.method("DELETE", "/api/users/" + memberId, null, auth);
        Response invited = http.post("/api/users", Map.of("email", Accounts.uniqueEmail("invitee"), "role", "viewer"),
                auth);
        assertThat(invited.status()).isEqualTo(201);
        String keyId = http.post("/api/api-keys", Map.of("name", "k", "scopes", List.of("users:read")), auth).text("id");
        String newKeyId = http.post("/api/api-keys/" + keyId + "/rotate", Map.of("grace_seconds", 0), auth).text("id");
        http.method("DELETE", "/api/api-keys/" + newKeyId, null, auth);
        CommandGateway commands = app.bean(CommandGateway.class);
        commands.sendAndWait(new SuspendTenantCommand(tenantId, "audit test", Actor.system()));
        commands.sendAndWait(new ReinstateTenantCommand(tenantId, "audit test", Actor.system()));
        for (int i = 0; i < 40; i++) {
            http.get("/api/me", auth); // crosses 80 % and 100 % of the starter quota (40)
        }
        Accounts.changePlan(app, tenantId, "professional");
        // an invitation accepted: the link's token is userId.secret, only its hash is stored
        String inviteeId = "invitee-" + tenantId;
        commands.sendAndWait(new AddUserCommand(tenantId, inviteeId, Accounts.uniqueEmail("accepting"), Role.VIEWER,
                null, Hashing.sha256Hex("s3cret"), Instant.now().plusSeconds(600), Actor.system()));
        assertThat(http.post("/auth/invitations/accept", Map.of("token", inviteeId + ".s3cret", "password",
                Accounts.PASSWORD)).status()).isEqualTo(204);
        // a password reset: the e-mailed link's token is userId.secret, only its hash is stored
        commands.sendAndWait(new RequestPasswordResetCommand(inviteeId, Hashing.sha256Hex("r3set"),
                Instant.now().plusSeconds(600)));
        assertThat(http.post("/auth/password-reset/confirm", Map.of("token", inviteeId + ".r3set", "password",
                "a brand new passphrase")).status()).isEqualTo(204);
        billingHistory(commands, tenantId);
        return new Account(owner.email(), tenantId, null, owner.accessToken(), owner.refreshToken());
    }

    /** A subscription's life as Stripe reports it, commands sent directly: every subscription event type. */
    private static void billingHistory(CommandGateway commands, String tenantId) {
        String sub = SubscriptionCommands.subscriptionIdFor(tenantId);
        Instant t = Instant.now().minusSeconds(600);
        commands.sendAndWait(new SubscriptionCommands.RecordCheckoutCommand(sub, tenantId, "cs_audit", "starter",
                "month", Actor.system()));
        commands.sendAndWait(new SubscriptionCommands.SyncSubscriptionCommand(sub, tenantId,
                new SubscriptionCommands.StripeEventRef("evt_a1", "customer.subscription.created", t),
                "cus_audit_" + tenantId, "sub_audit", "starter", "month", "trialing", t, t.plusSeconds(86400),
                t.plusSeconds(86400), false));
        commands.sendAndWait(new SubscriptionCommands.RecordTrialEndingCommand(sub, tenantId,
                new SubscriptionCommands.StripeEventRef("evt_a2", "customer.subscription.trial_will_end", t),
                "cus_audit_" + tenantId, "sub_audit", t.plusSeconds(86400)));
        for (int attempt = 1; attempt <= 3; attempt++) {
            commands.sendAndWait(new SubscriptionCommands.RecordPaymentFailedCommand(sub, tenantId,
                    new SubscriptionCommands.StripeEventRef("evt_f" + attempt, "invoice.payment_failed",
                            t.plusSeconds(attempt)),
                    new SubscriptionCommands.InvoiceFacts("in_audit", "cus_audit_" + tenantId, "sub_audit", 2900, "usd",
                            attempt, null, null)));
        }
        commands.sendAndWait(new SubscriptionCommands.RecordPaymentActionRequiredCommand(sub, tenantId,
                new SubscriptionCommands.StripeEventRef("evt_a3", "invoice.payment_action_required", t.plusSeconds(5)),
                new SubscriptionCommands.InvoiceFacts("in_audit", "cus_audit_" + tenantId, "sub_audit", 2900, "usd", 3,
                        null, null)));
        commands.sendAndWait(new SubscriptionCommands.RecordPaymentSucceededCommand(sub, tenantId,
                new SubscriptionCommands.StripeEventRef("evt_a4", "invoice.paid", t.plusSeconds(10)),
                new SubscriptionCommands.InvoiceFacts("in_audit", "cus_audit_" + tenantId, "sub_audit", 2900, "usd", 4,
                        null, null)));
        // an invoice of another customer naming this tenant: recorded as rejected
        commands.sendAndWait(new SubscriptionCommands.RecordPaymentFailedCommand(sub, tenantId,
                new SubscriptionCommands.StripeEventRef("evt_a5", "invoice.payment_failed", t.plusSeconds(20)),
                new SubscriptionCommands.InvoiceFacts("in_other", "cus_other", "sub_other", 2900, "usd", 1, null,
                        null)));
    }

    private static void awaitAudited() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM audit_logs", Integer.class)).isEqualTo(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM domain_event_entry WHERE payload_type NOT LIKE '%UsageRecorded%'",
                Integer.class)));
    }

    @Test
    @Order(1)
    void everyEventTypeProducesExactlyOneAuditRowWithActorAndContext() {
        awaitAudited();
        Set<String> eventTypes = new HashSet<>();
        ClassPathScanningCandidateComponentProvider scan = new ClassPathScanningCandidateComponentProvider(false) {
            @Override
            protected boolean isCandidateComponent(org.springframework.beans.factory.annotation.AnnotatedBeanDefinition d) {
                return true;
            }
        };
        scan.addIncludeFilter(new AnnotationTypeFilter(Revision.class));
        scan.findCandidateComponents("com.catalytic.api").forEach(bd -> eventTypes.add(bd.getBeanClassName()));
        eventTypes.remove("com.catalytic.api.usage.UsageEvents$UsageRecordedEvent"); // metered calls: usage_logs
        List<String> stored = app.jdbc().queryForList("SELECT DISTINCT payload_type FROM domain_event_entry", String.class);
        assertThat(new HashSet<>(stored)).as("the test history covers every event type").containsAll(eventTypes);

        List<Map<String, Object>> missing = app.jdbc().queryForList("SELECT e.event_identifier, e.payload_type "
                + "FROM domain_event_entry e LEFT JOIN audit_logs a ON a.id = e.event_identifier "
                + "WHERE a.id IS NULL AND e.payload_type NOT LIKE '%UsageRecorded%'");
        assertThat(missing).as("events without an audit row").isEmpty();
        assertThat(app.jdbc().queryForObject("SELECT COUNT(*) FROM audit_logs a JOIN domain_event_entry e "
                + "ON a.id = e.event_identifier", Integer.class)).isEqualTo(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM audit_logs", Integer.class));
        assertThat(app.jdbc().queryForList("SELECT action FROM audit_logs WHERE actor_type IS NULL "
                + "OR action NOT LIKE '%.%'", String.class)).isEmpty();
        // requests carry their context into the trail
        Map<String, Object> renamed = app.jdbc().queryForMap("SELECT * FROM audit_logs WHERE action = 'tenant.renamed'");
        assertThat(renamed.get("actor_type")).isEqualTo("user");
        assertThat(renamed.get("request_id")).isNotNull();
        assertThat(renamed.get("ip")).isNotNull();
        assertThat(renamed.get("changes").toString()).contains("\"name\":\"Audited Ltd\"");
        Map<String, Object> suspended = app.jdbc().queryForMap("SELECT * FROM audit_logs WHERE action = 'tenant.suspended'");
        assertThat(suspended.get("actor_type")).isEqualTo("system");
        // secrets never reach the trail
        assertThat(app.jdbc().queryForList("SELECT changes FROM audit_logs", String.class))
                .noneMatch(c -> c.contains("hash") || c.contains("password") || c.contains("$argon2"));
        assertThat(app.jdbc().queryForList("SELECT DISTINCT action FROM audit_logs", String.class)).contains(
                "tenant.registered", "user.registered", "session.started", "session.refreshed", "session.revoked",
                "api_key.issued", "api_key.rotated", "api_key.revoked", "user.added", "user.role_changed",
                "user.deactivated", "user.reactivated", "user.removed", "user.invited", "tenant.plan_changed",
                "tenant.suspended", "tenant.reinstated", "usage.threshold_reached",
                "subscription.stripe_event_rejected");
    }

    @Test
    @Order(2)
    void theApiListsFiltersExportsAndVerifies() {
        awaitAudited();
        String[] auth = bearer(owner.accessToken());
        Response page = http.get("/api/audit-logs?limit=5", auth);
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        assertThat(page.json().path("audit_logs").size()).isEqualTo(5);
        assertThat(page.text("next_cursor")).isNotBlank();
        Response keys = http.get("/api/audit-logs?action=api_key.issued", auth);
        assertThat(keys.json().path("audit_logs").size()).isEqualTo(2);
        Response ndjson = http.get("/api/audit-logs/export?format=ndjson", auth);
        assertThat(ndjson.status()).isEqualTo(200);
        assertThat(ndjson.header("Content-Type")).startsWith("application/x-ndjson");
        long lines = ndjson.raw().lines().count();
        assertThat(lines).isEqualTo(app.jdbc().queryForObject("SELECT COUNT(*) FROM audit_logs WHERE tenant_id = ?",
                Long.class, owner.tenantId()));
        Response csv = http.get("/api/audit-logs/export?format=csv", auth);
        assertThat(csv.raw().lines().findFirst().orElse("")).startsWith("id,seq,global_index");
        assertThat(csv.raw().lines().count()).isEqualTo(lines + 1);
        assertThat(http.get("/api/audit-logs/export?format=xml", auth).status()).isEqualTo(422);
        Response verify = http.get("/api/audit-logs/verify", auth);
        assertThat(verify.json().path("valid").asBoolean()).isTrue();
        assertThat(verify.json().path("checked").asLong()).isEqualTo(lines);
        assertThat(verify.text("head_hash")).hasSize(64);
        assertThat(cli("audit", "verify", "--tenant", owner.tenantId())).contains("OK", owner.tenantId(),
                lines + " entries");
        // a signed checkpoint of the head, verifiable with the published key
        Response checkpoint = http.get("/api/audit-logs/checkpoint", auth);
        assertThat(checkpoint.json().path("head_hash").asText()).isEqualTo(verify.text("head_hash"));
        assertThat(checkpoint.json().path("count").asLong()).isEqualTo(lines);
        try {
            com.nimbusds.jwt.SignedJWT jws = com.nimbusds.jwt.SignedJWT.parse(checkpoint.text("signature"));
            com.nimbusds.jose.jwk.RSAKey key = com.nimbusds.jose.jwk.JWKSet.parse(http.get("/.well-known/jwks.json").raw())
                    .getKeys().get(0).toRSAKey();
            assertThat(jws.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(key))).isTrue();
            assertThat(jws.getJWTClaimsSet().getStringClaim("head_hash")).isEqualTo(verify.text("head_hash"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Runs last: it damages rows on purpose. */
    @Test
    @Order(3)
    void aChangedByteOrADeletedRowBreaksTheChainThereAndApiAndCliAgree() {
        Account victim = Accounts.registerAndLogin(http, "tamper");
        String[] auth = bearer(victim.accessToken());
        for (int i = 0; i < 3; i++) {
            http.post("/api/api-keys", Map.of("name", "k" + i, "scopes", List.of("users:read")), auth);
        }
        awaitAudited();
        Response before = http.get("/api/audit-logs/verify", auth);
        assertThat(before.json().path("valid").asBoolean()).as(before.toString()).isTrue();
        // one byte of one row's content
        app.jdbc().update("UPDATE audit_logs SET changes = REPLACE(changes, '\"k1\"', '\"K1\"') "
                + "WHERE tenant_id = ? AND action = 'api_key.issued' AND changes LIKE '%\"k1\"%'", victim.tenantId());
        long tamperedSeq = app.jdbc().queryForObject("SELECT seq FROM audit_logs WHERE tenant_id = ? "
                + "AND changes LIKE '%\"K1\"%'", Long.class, victim.tenantId());
        JsonNode broken = http.get("/api/audit-logs/verify", auth).json();
        assertThat(broken.path("valid").asBoolean()).isFalse();
        assertThat(broken.path("first_broken").path("seq").asLong()).isEqualTo(tamperedSeq);
        assertThat(broken.path("first_broken").path("reason").asText()).contains("does not match its hash");
        String out = cli("audit", "verify", "--tenant", victim.tenantId());
        assertThat(out).contains("BROKEN", "entry " + tamperedSeq);
        // restored, then a row deleted
        app.jdbc().update("UPDATE audit_logs SET changes = REPLACE(changes, '\"K1\"', '\"k1\"') WHERE tenant_id = ?",
                victim.tenantId());
        assertThat(http.get("/api/audit-logs/verify", auth).json().path("valid").asBoolean()).isTrue();
        app.jdbc().update("DELETE FROM audit_logs WHERE tenant_id = ? AND seq = 2", victim.tenantId());
        JsonNode gap = http.get("/api/audit-logs/verify", auth).json();
        assertThat(gap.path("valid").asBoolean()).isFalse();
        assertThat(gap.path("first_broken").path("seq").asLong()).isEqualTo(2);
        assertThat(cli("audit", "verify", "--tenant", victim.tenantId())).contains("BROKEN", "entry 2");
        // deleting the newest row is caught by the recorded head
        Account other = Accounts.registerAndLogin(http, "tail");
        http.post("/api/api-keys", Map.of("name", "t", "scopes", List.of("users:read")), bearer(other.accessToken()));
        await().atMost(Duration.ofSeconds(20)).until(() -> app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM audit_logs WHERE tenant_id = ? AND action = 'api_key.issued'", Integer.class,
                other.tenantId()) == 1);
        long last = app.jdbc().queryForObject("SELECT MAX(seq) FROM audit_logs WHERE tenant_id = ?", Long.class,
                other.tenantId());
        app.jdbc().update("DELETE FROM audit_logs WHERE tenant_id = ? AND seq = ?", other.tenantId(), last);
        JsonNode tail = http.get("/api/audit-logs/verify", bearer(other.accessToken())).json();
        assertThat(tail.path("valid").asBoolean()).isFalse();
        assertThat(tail.path("first_broken").path("seq").asLong()).isEqualTo(last);
    }

    private static String cli(String... args) {
        return Cli.run(schema, args).out();
    }

}
