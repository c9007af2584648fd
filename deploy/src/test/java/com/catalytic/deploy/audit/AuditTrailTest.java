package com.catalytic.deploy.audit;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.billing.SubscriptionCommands;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.tenant.TenantCommands.AddUserCommand;
import com.catalytic.api.tenant.TenantCommands.ReinstateTenantCommand;
import com.catalytic.api.tenant.TenantCommands.SuspendTenantCommand;
import com.catalytic.api.user.UserMessages.RequestPasswordResetCommand;
import com.catalytic.api.user.UserRegisteredEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Cli;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Projections;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.secrets.Hashing;
import com.catalytic.projections.EventProcessingGroup;
import com.catalytic.projections.audit.AuditChain.Entry;
import com.catalytic.projections.audit.AuditChain;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.serialization.Revision;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/**
 * The audit trail: one row per event with actor and context, a per-tenant hash chain that detects a change to any
 * hashed column and a deleted row, signed checkpoints that catch a chain rewritten with every hash recomputed, and an
 * API and a CLI that agree.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditTrailTest {

    static String schema = TestApp.newSchema();
    static TestApp app;
    static Http http;
    static Account owner;
    static final String PUBLIC_KEY = TestApp.KEY_DIR.resolve("jwt_dev_public.pem").toString();

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

    /** A history that produces every event type the system has; every step's answer is checked. */
    static Account everyKindOfEvent() {
        Account o = Accounts.registerAndLogin(http, "audit");
        expect(200, http.post("/auth/refresh", Map.of("refresh_token", o.refreshToken())));
        // the rotated token presented again: reuse, the session is revoked
        expect(401, http.post("/auth/refresh", Map.of("refresh_token", o.refreshToken())));
        Account owner = Accounts.login(http, o.email(), Accounts.PASSWORD);
        String[] auth = bearer(owner.accessToken());
        expect(200, http.method("PATCH", "/api/tenant", "{\"name\":\"Audited Ltd\"}", auth));
        String tenantId = expect(200, http.get("/api/me", auth)).json().path("tenant").path("id").asText();
        assertThat(tenantId).isEqualTo(o.tenantId());
        Accounts.changePlan(app, tenantId, "starter");
        String memberEmail = Accounts.uniqueEmail("member");
        String memberId = expect(201, http.post("/api/users", Map.of("email", memberEmail, "role", "member",
                "password", Accounts.PASSWORD), auth)).text("id");
        expect(200, http.method("PATCH", "/api/users/" + memberId, "{\"role\":\"viewer\"}", auth));
        expect(200, http.method("PATCH", "/api/users/" + memberId, "{\"active\":false}", auth));
        expect(200, http.method("PATCH", "/api/users/" + memberId, "{\"active\":true}", auth));
        expect(204, http.method("DELETE", "/api/users/" + memberId, null, auth));
        expect(204, http.method("DELETE", "/api/users/" + memberId + "/personal-data", null, auth));
        expect(201, http.post("/api/users", Map.of("email", Accounts.uniqueEmail("invitee"), "role", "viewer"), auth));
        String keyId = expect(201, http.post("/api/api-keys", Map.of("name", "k", "scopes", List.of("users:read")),
                auth)).text("id");
        String newKeyId = expect(201, http.post("/api/api-keys/" + keyId + "/rotate", Map.of("grace_seconds", 0),
                auth)).text("id");
        expect(204, http.method("DELETE", "/api/api-keys/" + newKeyId, null, auth));
        String webhookId = expect(201, http.post("/api/webhooks", Map.of("url", "https://93.184.215.14/audit"), auth))
                .text("id");
        expect(200, http.post("/api/webhooks/" + webhookId + "/rotate-secret", Map.of(), auth));
        String testDelivery = expect(202, http.post("/api/webhooks/" + webhookId + "/test", Map.of(), auth))
                .text("delivery_id");
        await().atMost(Duration.ofSeconds(30)).until(() -> app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM webhook_deliveries WHERE id = ?", Integer.class, testDelivery) == 1);
        expect(202, http.post("/api/webhooks/" + webhookId + "/deliveries/" + testDelivery + "/retry", Map.of(), auth));
        expect(202, http.post("/api/webhooks/" + webhookId + "/recover",
                Map.of("since", Instant.now().minusSeconds(60).toString()), auth));
        app.bean(CommandGateway.class).sendAndWait(new WebhookDeliveryMessages
                .DisableFailingWebhookCommand(webhookId, tenantId, Instant.now().minus(Duration.ofDays(5)),
                Instant.now()));
        expect(200, http.method("PATCH", "/api/webhooks/" + webhookId, "{\"enabled\":true}", auth));
        expect(204, http.method("DELETE", "/api/webhooks/" + webhookId, null, auth));
        CommandGateway commands = app.bean(CommandGateway.class);
        commands.sendAndWait(new SuspendTenantCommand(tenantId, "audit test", Actor.system()));
        commands.sendAndWait(new ReinstateTenantCommand(tenantId, "audit test", Actor.system()));
        for (int i = 0; i < 40; i++) {
            // crosses 80 % and 100 % of the starter quota (40): the last ones are refused
            assertThat(http.get("/api/me", auth).status()).isIn(200, 429);
        }
        Accounts.changePlan(app, tenantId, "professional");
        // an invitation accepted: the link's token is userId.secret, only its hash is stored
        String inviteeId = "invitee-" + tenantId;
        commands.sendAndWait(new AddUserCommand(tenantId, inviteeId, Accounts.uniqueEmail("accepting"), Role.VIEWER,
                null, Hashing.sha256Hex("s3cret"), Instant.now().plusSeconds(600), Actor.system()));
        expect(204, http.post("/auth/invitations/accept", Map.of("token", inviteeId + ".s3cret", "password",
                Accounts.PASSWORD)));
        // a password reset: the e-mailed link's token is userId.secret, only its hash is stored
        commands.sendAndWait(new RequestPasswordResetCommand(inviteeId, Hashing.sha256Hex("r3set"),
                Instant.now().plusSeconds(600)));
        expect(204, http.post("/auth/password-reset/confirm", Map.of("token", inviteeId + ".r3set", "password",
                "a brand new passphrase")));
        billingHistory(commands, tenantId);
        // a member carried over from the original service with its bcrypt hash, as catalytic import legacy stores
        // it, then its first login, which replaces the hash
        String legacyId = "legacy-" + tenantId;
        String legacyEmail = Accounts.uniqueEmail("legacy");
        app.bean(TransactionManager.class).executeInTransaction(() -> app.bean(EventStore.class).publish(
                new GenericDomainEventMessage<>("user", legacyId, 0, new UserRegisteredEvent(legacyId, tenantId,
                        legacyEmail, LEGACY_BCRYPT, Role.MEMBER), Map.of("tenant_id", tenantId, "actor_type", "system",
                        EventProcessingGroup.ORIGIN, EventProcessingGroup.IMPORTED))));
        expect(200, http.post("/auth/login", Map.of("email", legacyEmail, "password", LEGACY_PASSWORD)));
        // a lattice's life: created (the tenant takes a slot), computed on, deleted (the slot is freed)
        String lattice = expect(201, http.post("/api/lattices", Map.of("name", "audited", "dimensions", 2, "size", 4,
                "obstacles", List.of(List.of(1, 1))), auth)).text("id");
        expect(200, http.post("/api/lattices/" + lattice + "/path", Map.of("start", List.of(0, 0), "end",
                List.of(3, 3)), auth));
        expect(200, http.post("/api/lattices/" + lattice + "/analyze", Map.of(), auth));
        expect(204, http.method("DELETE", "/api/lattices/" + lattice, null, auth));
        return new Account(owner.email(), tenantId, null, owner.accessToken(), owner.refreshToken());
    }

    /** The original service's bcrypt of {@link #LEGACY_PASSWORD} (made by crypt(3)). */
    private static final String LEGACY_BCRYPT = "$2b$12$UhmT86o3/JBjGqRByPycFO1S4PjtvvRaLOsOuG5AJCcKXJ2Q2cSxu";
    private static final String LEGACY_PASSWORD = "Legacy-Passw0rd!";

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
        // the history's metered calls reach the event store with the next shipment (up to a second later)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM domain_event_entry WHERE payload_type LIKE '%UsageRecordedBatchEvent'",
                Integer.class)).isPositive());
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
            protected boolean isCandidateComponent(AnnotatedBeanDefinition d) {
                return true;
            }
        };
        scan.addIncludeFilter(new AnnotationTypeFilter(Revision.class));
        scan.findCandidateComponents("com.catalytic.api").forEach(bd -> eventTypes.add(bd.getBeanClassName()));
        eventTypes.remove("com.catalytic.api.usage.UsageEvents$UsageRecordedEvent"); // metered calls: usage_logs
        // some of the history is written asynchronously (usage shipments, webhook deliveries): wait for all of it
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(new HashSet<>(app.jdbc().queryForList(
                "SELECT DISTINCT payload_type FROM domain_event_entry", String.class)))
                .as("the test history covers every event type").containsAll(eventTypes));
        awaitAudited();

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
                "user.deactivated", "user.reactivated", "user.removed", "user.personal_data_erased", "user.invited",
                "tenant.plan_changed",
                "tenant.suspended", "tenant.reinstated", "usage.threshold_reached",
                "subscription.stripe_event_rejected", "tenant.lattice_added", "lattice.created",
                "lattice.path_computed", "lattice.analyzed", "lattice.deleted", "tenant.lattice_released");
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
            SignedJWT jws = SignedJWT.parse(checkpoint.text("signature"));
            RSAKey key = JWKSet.parse(http.get("/.well-known/jwks.json").raw())
                    .getKeys().get(0).toRSAKey();
            assertThat(jws.verify(new RSASSAVerifier(key))).isTrue();
            assertThat(jws.getJWTClaimsSet().getStringClaim("head_hash")).isEqualTo(verify.text("head_hash"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Changes one column of one entry at a time, every column the chain covers, and puts it back each time. */
    @Test
    @Order(3)
    void aChangeToAnyHashedColumnBreaksTheChainAtThatEntryAndApiAndCliAgree() {
        Map<String, String> columns = new TreeMap<>();
        app.jdbc().query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
                + "current_schema() AND table_name = 'audit_logs'", rs -> {
                    columns.put(rs.getString(1), rs.getString(2));
                });
        Set<String> chained = new TreeSet<>(hashedColumns());
        chained.addAll(List.of("prev_hash", "hash"));
        assertThat(columns.keySet()).as("every column of audit_logs is hashed (AuditChain) or links the chain")
                .isEqualTo(chained);

        Account victim = Accounts.registerAndLogin(http, "tamper");
        String[] auth = bearer(victim.accessToken());
        for (int i = 0; i < 3; i++) {
            expect(201, http.post("/api/api-keys", Map.of("name", "k" + i, "scopes", List.of("users:read")), auth));
        }
        Projections.awaitCaughtUp(app);
        assertIntact(victim);
        // an entry in the middle of the chain, made by a request (actor, ip, user agent and request id are set)
        Map<String, Object> row = app.jdbc().queryForMap("SELECT * FROM audit_logs WHERE tenant_id = ? "
                + "AND action = 'api_key.issued' ORDER BY seq LIMIT 1 OFFSET 1", victim.tenantId());
        long seq = ((Number) row.get("seq")).longValue();
        String id = (String) row.get("id");
        assertThat(app.jdbc().queryForObject("SELECT MAX(seq) FROM audit_logs WHERE tenant_id = ?", Long.class,
                victim.tenantId())).isGreaterThan(seq);
        app.jdbc().execute("CREATE TABLE audit_logs_original AS SELECT * FROM audit_logs WITH NO DATA");
        app.jdbc().update("INSERT INTO audit_logs_original SELECT * FROM audit_logs WHERE id = ?", id);
        try {
            columns.forEach((column, type) -> {
                Object changed = changedValue(row.get(column), type);
                assertThat(app.jdbc().update("UPDATE audit_logs SET " + column + " = ? WHERE id = ?", changed, id))
                        .isEqualTo(1);
                JsonNode broken = expect(200, http.get("/api/audit-logs/verify", auth)).json();
                assertThat(broken.path("valid").asBoolean()).as("%s changed: %s", column, broken).isFalse();
                assertThat(broken.path("first_broken").path("seq").asLong()).as("%s changed", column).isEqualTo(seq);
                assertThat(broken.path("first_broken").path("code").asText()).isEqualTo("chain_broken");
                Cli.Result cli = Cli.run(schema, "audit", "verify", "--tenant", victim.tenantId());
                assertThat(cli.code()).as("%s changed: %s", column, cli.out()).isEqualTo(1);
                assertThat(cli.out()).contains("BROKEN").containsPattern("entry " + seq + "[ :]");
                String current = column.equals("id") ? (String) changed : id;
                assertThat(app.jdbc().update("UPDATE audit_logs a SET " + column + " = o." + column
                        + " FROM audit_logs_original o WHERE a.id = ?", current)).isEqualTo(1);
                JsonNode restored = expect(200, http.get("/api/audit-logs/verify", auth)).json();
                assertThat(restored.path("valid").asBoolean()).as("%s restored: %s", column, restored).isTrue();
            });
        } finally {
            app.jdbc().execute("DROP TABLE audit_logs_original");
        }
    }

    /**
     * Someone able to write the table changes an entry and recomputes every later hash and the head: the chain
     * re-hashes cleanly, and only a checkpoint signed before the rewrite catches it (API and CLI).
     */
    @Test
    @Order(4)
    void aChainRewrittenConsistentlyIsCaughtAgainstASignedCheckpoint() throws Exception {
        Account victim = Accounts.registerAndLogin(http, "rewrite");
        String[] auth = bearer(victim.accessToken());
        for (String name : List.of("r0", "r1")) {
            expect(201, http.post("/api/api-keys", Map.of("name", name, "scopes", List.of("users:read")), auth));
        }
        Projections.awaitCaughtUp(app);
        Response checkpoint = expect(200, http.get("/api/audit-logs/checkpoint", auth));
        String jws = checkpoint.text("signature");
        long count = checkpoint.json().path("count").asLong();
        assertThat(checkpoint.text("tenant_id")).isEqualTo(victim.tenantId());
        assertThat(count).isEqualTo(entries(victim));
        Instant.parse(checkpoint.text("checkpoint_at"));

        // the untouched chain passes through its checkpoint: through the API, and the CLI with the service's PEM key
        // or with the published JWKS and the checkpoint's answer saved to a file, as an auditor keeps it
        assertHolds(auth, jws, count);
        Path saved = Files.writeString(Files.createTempFile("checkpoint", ".json"), checkpoint.raw());
        Path jwks = Files.writeString(Files.createTempFile("jwks", ".json"), http.get("/.well-known/jwks.json").raw());
        Cli.Result withPem = Cli.run(schema, "audit", "verify", "--checkpoint", jws, "--public-key", PUBLIC_KEY);
        assertThat(withPem.code()).as(withPem.out()).isZero();
        assertThat(withPem.out()).contains("OK", victim.tenantId(), "checkpoint", "entry " + count + " still has");
        Cli.Result withJwks = Cli.run(schema, "audit", "verify", "--checkpoint", saved.toString(), "--public-key",
                jwks.toString());
        assertThat(withJwks.code()).as(withJwks.out()).isZero();
        // the chain grows after the checkpoint and still passes through it
        expect(201, http.post("/api/api-keys", Map.of("name", "r2", "scopes", List.of("users:read")), auth));
        Projections.awaitCaughtUp(app);
        assertThat(entries(victim)).isGreaterThan(count);
        assertHolds(auth, jws, count);

        // the rewrite: one entry before the checkpoint changed, every later hash and the head recomputed
        long changed = app.jdbc().queryForObject("SELECT seq FROM audit_logs WHERE tenant_id = ? "
                + "AND action = 'api_key.issued' AND changes LIKE '%\"r0\"%'", Long.class, victim.tenantId());
        assertThat(changed).isLessThan(count);
        assertThat(app.jdbc().update("UPDATE audit_logs SET changes = REPLACE(changes, '\"r0\"', '\"R0\"') "
                + "WHERE tenant_id = ? AND seq = ?", victim.tenantId(), changed)).isEqualTo(1);
        rehash(victim.tenantId(), changed);
        assertIntact(victim);
        Cli.Result chainOnly = Cli.run(schema, "audit", "verify", "--tenant", victim.tenantId());
        assertThat(chainOnly.code()).as("the chain alone cannot tell: %s", chainOnly.out()).isZero();
        JsonNode caught = expect(200, http.post("/api/audit-logs/verify", Map.of("checkpoint", jws), auth)).json();
        assertThat(caught.path("valid").asBoolean()).as("%s", caught).isFalse();
        assertThat(caught.path("reason").asText()).isEqualTo("checkpoint_mismatch");
        assertThat(caught.path("first_broken").path("seq").asLong()).isEqualTo(count);
        assertThat(caught.path("first_broken").path("code").asText()).isEqualTo("checkpoint_mismatch");
        Cli.Result cli = Cli.run(schema, "audit", "verify", "--checkpoint", jws, "--public-key", PUBLIC_KEY);
        assertThat(cli.code()).as(cli.out()).isEqualTo(1);
        assertThat(cli.out()).contains("BROKEN", "entry " + count, "checkpoint_mismatch");

        // a consistent cut of the tail: the chain is shorter than a checkpoint taken of it
        Response later = expect(200, http.get("/api/audit-logs/checkpoint", auth));
        long laterCount = later.json().path("count").asLong();
        assertHolds(auth, later.text("signature"), laterCount);
        app.jdbc().update("DELETE FROM audit_logs WHERE tenant_id = ? AND seq = ?", victim.tenantId(), laterCount);
        app.jdbc().update("UPDATE audit_heads SET seq = ?, hash = (SELECT hash FROM audit_logs WHERE tenant_id = ? "
                + "AND seq = ?) WHERE tenant_id = ?", laterCount - 1, victim.tenantId(), laterCount - 1,
                victim.tenantId());
        assertIntact(victim);
        JsonNode cut = expect(200, http.post("/api/audit-logs/verify", Map.of("checkpoint", later.text("signature")),
                auth)).json();
        assertThat(cut.path("valid").asBoolean()).as("%s", cut).isFalse();
        assertThat(cut.path("reason").asText()).isEqualTo("checkpoint_mismatch");
        assertThat(cut.path("first_broken").path("seq").asLong()).isEqualTo(laterCount);
    }

    /** Checkpoints the service did not sign, or not checkpoints at all. */
    @Test
    @Order(5)
    void checkpointsTheServiceDidNotSignAreRefused() throws Exception {
        Account owner = Accounts.registerAndLogin(http, "forger");
        String[] auth = bearer(owner.accessToken());
        Projections.awaitCaughtUp(app);
        String jws = expect(200, http.get("/api/audit-logs/checkpoint", auth)).text("signature");
        assertHolds(auth, jws, entries(owner));
        SignedJWT original = SignedJWT.parse(jws);
        Map<String, Object> claims = new LinkedHashMap<>(original.getJWTClaimsSet().getClaims());
        claims.put("count", ((Number) claims.get("count")).longValue() - 1);
        // claims changed under the service's signature
        String[] parts = jws.split("\\.");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                Http.JSON.writeValueAsBytes(claims)) + "." + parts[2];
        // claims signed by another key that claims the service's key id
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(original.getHeader().getKeyID()).generate();
        SignedJWT impostor = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(original.getHeader().getKeyID()).build(), original.getJWTClaimsSet());
        impostor.sign(new RSASSASigner(stranger));
        for (String bad : List.of(forged, impostor.serialize())) {
            JsonNode r = expect(200, http.post("/api/audit-logs/verify", Map.of("checkpoint", bad), auth)).json();
            assertThat(r.path("valid").asBoolean()).as("%s", r).isFalse();
            assertThat(r.path("reason").asText()).isEqualTo("checkpoint_mismatch");
            assertThat(r.path("detail").asText()).contains("signature");
            Cli.Result cli = Cli.run(schema, "audit", "verify", "--checkpoint", bad, "--public-key", PUBLIC_KEY);
            assertThat(cli.code()).as(cli.out()).isEqualTo(1);
            assertThat(cli.out()).contains("BROKEN", "checkpoint_mismatch");
        }
        // an access token of the service is signed by the same key, but is no checkpoint
        JsonNode token = expect(200, http.post("/api/audit-logs/verify", Map.of("checkpoint", owner.accessToken()),
                auth)).json();
        assertThat(token.path("valid").asBoolean()).isFalse();
        assertThat(token.path("reason").asText()).isEqualTo("checkpoint_mismatch");
        for (Object bad : List.of(Map.of("checkpoint", "not-a-jws"), Map.of("checkpoint", ""), Map.of())) {
            Response r = http.post("/api/audit-logs/verify", bad, auth);
            assertThat(r.status()).as("%s -> %s", bad, r).isEqualTo(422);
            assertThat(r.text("field")).isEqualTo("checkpoint");
        }
        // audit:read is needed, as for every audit endpoint
        String viewerKey = expect(201, http.post("/api/api-keys", Map.of("name", "v", "scopes",
                List.of("users:read")), auth)).text("key");
        assertThat(http.post("/api/audit-logs/verify", Map.of("checkpoint", jws), "X-API-Key", viewerKey).status())
                .isEqualTo(403);
    }

    /** Runs last: it deletes rows on purpose. */
    @Test
    @Order(6)
    void aDeletedRowBreaksTheChainThereAndApiAndCliAgree() {
        Account victim = Accounts.registerAndLogin(http, "delete");
        String[] auth = bearer(victim.accessToken());
        for (int i = 0; i < 3; i++) {
            expect(201, http.post("/api/api-keys", Map.of("name", "k" + i, "scopes", List.of("users:read")), auth));
        }
        Projections.awaitCaughtUp(app);
        assertIntact(victim);
        assertThat(app.jdbc().update("DELETE FROM audit_logs WHERE tenant_id = ? AND seq = 2", victim.tenantId()))
                .isEqualTo(1);
        JsonNode gap = http.get("/api/audit-logs/verify", auth).json();
        assertThat(gap.path("valid").asBoolean()).isFalse();
        assertThat(gap.path("first_broken").path("seq").asLong()).isEqualTo(2);
        assertThat(cli("audit", "verify", "--tenant", victim.tenantId())).contains("BROKEN", "entry 2");
        // deleting the newest row is caught by the recorded head
        Account other = Accounts.registerAndLogin(http, "tail");
        expect(201, http.post("/api/api-keys", Map.of("name", "t", "scopes", List.of("users:read")),
                bearer(other.accessToken())));
        Projections.awaitCaughtUp(app);
        assertIntact(other);
        long last = app.jdbc().queryForObject("SELECT MAX(seq) FROM audit_logs WHERE tenant_id = ?", Long.class,
                other.tenantId());
        app.jdbc().update("DELETE FROM audit_logs WHERE tenant_id = ? AND seq = ?", other.tenantId(), last);
        JsonNode tail = http.get("/api/audit-logs/verify", bearer(other.accessToken())).json();
        assertThat(tail.path("valid").asBoolean()).isFalse();
        assertThat(tail.path("first_broken").path("seq").asLong()).isEqualTo(last);
    }

    /** The entry fields AuditChain hashes, as the column names of its canonical form. */
    static Set<String> hashedColumns() {
        Entry sample = new Entry(1, "id", "tenant", 1L, "user", "actor", "key", "x.done", "x", "target", "ip", "ua",
                "req", Instant.EPOCH, "{}");
        Set<String> names = new TreeSet<>();
        try {
            Http.JSON.readTree(AuditChain.canonical(sample)).fieldNames().forEachRemaining(names::add);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return names;
    }

    /** Another value of the same type: null becomes a value, a value changes (same length for strings). */
    static Object changedValue(Object value, String type) {
        return switch (type) {
            case "bigint" -> value == null ? 1L : ((Number) value).longValue() + 1_000_000L;
            case "timestamp with time zone" -> Timestamp.from(((Timestamp) value).toInstant().plusSeconds(1));
            default -> value == null ? "x" : (value.toString().startsWith("x") ? "y" : "x")
                    + value.toString().substring(1);
        };
    }

    /** Recomputes prev_hash and hash from entry {@code from} to the end, and the head: a consistent rewrite. */
    static void rehash(String tenantId, long from) {
        String prev = from == 1 ? AuditChain.GENESIS : app.jdbc().queryForObject(
                "SELECT hash FROM audit_logs WHERE tenant_id = ? AND seq = ?", String.class, tenantId, from - 1);
        for (Map<String, Object> r : app.jdbc().queryForList("SELECT * FROM audit_logs WHERE tenant_id = ? "
                + "AND seq >= ? ORDER BY seq", tenantId, from)) {
            Entry e = new Entry(((Number) r.get("seq")).longValue(), (String) r.get("id"), tenantId,
                    r.get("global_index") == null ? null : ((Number) r.get("global_index")).longValue(),
                    (String) r.get("actor_type"), (String) r.get("actor_id"), (String) r.get("api_key_id"),
                    (String) r.get("action"), (String) r.get("target_type"), (String) r.get("target_id"),
                    (String) r.get("ip"), (String) r.get("user_agent"), (String) r.get("request_id"),
                    ((Timestamp) r.get("occurred_at")).toInstant(), (String) r.get("changes"));
            String hash = AuditChain.hash(prev, e);
            app.jdbc().update("UPDATE audit_logs SET prev_hash = ?, hash = ? WHERE id = ?", prev, hash, e.id());
            prev = hash;
        }
        assertThat(app.jdbc().update("UPDATE audit_heads SET hash = ? WHERE tenant_id = ?", prev, tenantId))
                .isEqualTo(1);
    }

    private static long entries(Account account) {
        return app.jdbc().queryForObject("SELECT COUNT(*) FROM audit_logs WHERE tenant_id = ?", Long.class,
                account.tenantId());
    }

    /** The chain re-hashes cleanly (API and CLI). */
    private static void assertIntact(Account account) {
        Response r = expect(200, http.get("/api/audit-logs/verify", bearer(account.accessToken())));
        assertThat(r.json().path("valid").asBoolean()).as("%s", r).isTrue();
        Cli.Result cli = Cli.run(schema, "audit", "verify", "--tenant", account.tenantId());
        assertThat(cli.code()).as(cli.out()).isZero();
    }

    /** The chain passes through the checkpoint. */
    private static void assertHolds(String[] auth, String jws, long count) {
        Response r = expect(200, http.post("/api/audit-logs/verify", Map.of("checkpoint", jws), auth));
        assertThat(r.json().path("valid").asBoolean()).as("%s", r).isTrue();
        assertThat(r.json().path("reason").isNull()).isTrue();
        assertThat(r.json().path("checkpoint_count").asLong()).isEqualTo(count);
        assertThat(r.json().path("checked").asLong()).isGreaterThanOrEqualTo(count);
    }

    private static Response expect(int status, Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        return r;
    }

    private static String cli(String... args) {
        return Cli.run(schema, args).out();
    }

}
