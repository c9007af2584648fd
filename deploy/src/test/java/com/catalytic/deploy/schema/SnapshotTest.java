package com.catalytic.deploy.schema;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.command.apikey.ApiKeyAggregate;
import com.catalytic.command.billing.SubscriptionAggregate;
import com.catalytic.command.tenant.TenantAggregate;
import com.catalytic.command.user.UserAggregate;
import com.catalytic.command.webhook.WebhookAggregate;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.FakeStripe;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.StripePayloads;
import com.catalytic.deploy.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.SimpleEventBus;
import org.axonframework.eventsourcing.EventSourcedAggregate;
import org.axonframework.eventsourcing.GenericAggregateFactory;
import org.axonframework.eventsourcing.NoSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;
import org.axonframework.serialization.Revision;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every aggregate whose stream grows for as long as it lives is snapshotted, a snapshot holds exactly the state its
 * events give, a command after it decides as the whole history would, and a snapshot of another revision is ignored.
 */
class SnapshotTest {

    static FakeStripe stripe;
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        stripe = new FakeStripe();
        Map<String, String> settings = new HashMap<>(stripe.appSettings());
        settings.put("catalytic.snapshots.tenant-threshold", "5");
        settings.put("catalytic.snapshots.subscription-threshold", "5");
        settings.put("catalytic.webhooks.allow-private-targets", "true");
        app = TestApp.start(TestApp.newSchema(), settings);
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
        stripe.close();
    }

    private static Map<String, Object> member(String role) {
        return Map.of("email", Accounts.uniqueEmail("snap"), "role", role, "password", Accounts.PASSWORD);
    }

    private static List<Map<String, Object>> snapshots(String aggregateId) {
        return app.jdbc().queryForList("SELECT type, sequence_number, payload_type, payload_revision, "
                + "convert_from(payload, 'UTF8') AS payload FROM snapshot_event_entry WHERE aggregate_identifier = ?",
                aggregateId);
    }

    private static long lastSequence(String aggregateId) {
        return app.jdbc().queryForObject("SELECT MAX(sequence_number) FROM domain_event_entry "
                + "WHERE aggregate_identifier = ?", Long.class, aggregateId);
    }

    /** The aggregate as its own events give it, from the first to {@code upTo}, never a snapshot. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object replayed(Class type, String id, long upTo) {
        DomainEventStream all = app.bean(EventStorageEngine.class).readEvents(id, 0);
        List<DomainEventMessage<?>> events = new ArrayList<>();
        while (all.hasNext() && all.peek().getSequenceNumber() <= upTo) {
            events.add(all.next());
        }
        assertThat(events).as("events of %s", id).isNotEmpty();
        Configuration axon = app.bean(Configuration.class);
        AggregateModel model = AnnotatedAggregateMetaModelFactory.inspectAggregate(type,
                axon.parameterResolverFactory(), axon.handlerDefinition(type));
        Object root = new GenericAggregateFactory(model).createAggregateRoot(id, events.get(0));
        EventSourcedAggregate aggregate = EventSourcedAggregate.initialize(root, model, SimpleEventBus.builder().build(),
                NoSnapshotTriggerDefinition.TRIGGER);
        aggregate.initializeState(DomainEventStream.of(events));
        return aggregate.getAggregateRoot();
    }

    /** The stored snapshot, read back with the application's serializer, is the state its events give. */
    private static void assertSnapshotIsTheReplay(Class<?> type, String id) {
        // written after the command that reached the threshold committed (on its thread, before the answer)
        await().atMost(Duration.ofSeconds(20)).until(() -> !snapshots(id).isEmpty());
        List<Map<String, Object>> rows = snapshots(id);
        assertThat(rows).as("snapshot of %s %s", type.getSimpleName(), id).hasSize(1);
        Map<String, Object> row = rows.get(0);
        assertThat(row.get("payload_type")).isEqualTo(type.getName());
        String revision = type.getAnnotation(Revision.class).value();
        assertThat(row.get("payload_revision")).isEqualTo(revision);
        SerializedObject<byte[]> stored = new SimpleSerializedObject<>(
                row.get("payload").toString().getBytes(StandardCharsets.UTF_8), byte[].class,
                type.getName(), revision);
        Object fromSnapshot = app.bean(Serializer.class).deserialize(stored);
        long seq = ((Number) row.get("sequence_number")).longValue();
        assertThat(fromSnapshot).usingRecursiveComparison().isEqualTo(replayed(type, id, seq));
    }

    @Test
    void aTenantIsSnapshottedByItsTriggerAndDecidesAfterItAsItsWholeHistoryWould() {
        Account owner = Accounts.registerAndLogin(http, "snap-tenant");
        Accounts.changePlan(app, owner.tenantId(), "professional");
        String[] auth = bearer(owner.accessToken());
        Response added = http.post("/api/users", member("member"), auth);
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        String memberId = added.text("id");
        for (int i = 0; i < 6; i++) {
            Response flip = http.method("PATCH", "/api/users/" + memberId,
                    "{\"role\":\"" + (i % 2 == 0 ? "viewer" : "member") + "\"}", auth);
            assertThat(flip.status()).as(flip.toString()).isEqualTo(200);
        }
        assertThat(lastSequence(owner.tenantId())).isGreaterThanOrEqualTo(8);
        assertSnapshotIsTheReplay(TenantAggregate.class, owner.tenantId());

        // after the snapshot: the member is a member again (six flips), the owner still the only active owner
        Response last = http.method("PATCH", "/api/users/" + owner.userId(), "{\"role\":\"admin\"}", auth);
        assertThat(last.status()).as(last.toString()).isEqualTo(409);
        assertThat(last.text("code")).isEqualTo("last_owner");
        Response promoted = http.method("PATCH", "/api/users/" + memberId, "{\"role\":\"owner\"}", auth);
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
        Response demoted = http.method("PATCH", "/api/users/" + owner.userId(), "{\"role\":\"admin\"}", auth);
        assertThat(demoted.status()).as("a second active owner now exists: %s", demoted).isEqualTo(200);
    }

    @Test
    void aSnapshotOfAnotherRevisionIsIgnoredWhileOneOfTheCurrentRevisionIsUsed() {
        Account owner = Accounts.registerAndLogin(http, "snap-revision");
        Accounts.changePlan(app, owner.tenantId(), "professional");
        String[] auth = bearer(owner.accessToken());
        String memberId = http.post("/api/users", member("member"), auth).text("id");
        for (int i = 0; i < 6; i++) {
            assertThat(http.method("PATCH", "/api/users/" + memberId,
                    "{\"role\":\"" + (i % 2 == 0 ? "viewer" : "member") + "\"}", auth).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> snapshots(owner.tenantId()).size() == 1);
        // a snapshot that forgets the member: used, the member is unknown to the tenant (404)
        String forgetful = snapshots(owner.tenantId()).get(0).get("payload").toString()
                .replace("\"" + memberId + "\"", "\"" + UUID.randomUUID() + "\"");
        app.jdbc().update("UPDATE snapshot_event_entry SET payload = convert_to(?, 'UTF8') "
                + "WHERE aggregate_identifier = ?", forgetful, owner.tenantId());
        Response used = http.method("PATCH", "/api/users/" + memberId, "{\"role\":\"viewer\"}", auth);
        assertThat(used.status()).as("the snapshot of the current revision is what the tenant is loaded from: %s", used)
                .isEqualTo(404);
        // the same snapshot under another revision: ignored, the tenant is replayed from its events
        app.jdbc().update("UPDATE snapshot_event_entry SET payload_revision = '0' WHERE aggregate_identifier = ?",
                owner.tenantId());
        Response replayed = http.method("PATCH", "/api/users/" + memberId, "{\"role\":\"viewer\"}", auth);
        assertThat(replayed.status()).as(replayed.toString()).isEqualTo(200);
        assertThat(replayed.text("role")).isEqualTo("viewer");
    }

    @Test
    void aSubscriptionIsSnapshottedAndAppliesTheNextStripeEventAfterIt() {
        Account owner = Accounts.registerAndLogin(http, "snap-sub");
        String customer = "cus_" + UUID.randomUUID().toString().substring(0, 12);
        String subscription = "sub_" + UUID.randomUUID().toString().substring(0, 12);
        long t = System.currentTimeMillis() / 1000 - 3600;
        deliver("checkout.session.completed", t, StripePayloads.checkoutCompleted(
                "cs_" + UUID.randomUUID().toString().substring(0, 12), owner.tenantId(), customer, subscription));
        for (int i = 0; i < 6; i++) {
            deliver("customer.subscription.updated", t + 1 + i, StripePayloads.subscription(subscription,
                    owner.tenantId(), customer, "active", i % 2 == 0 ? "starter_month" : "professional_month", t, null));
        }
        String aggregateId = "sub-" + owner.tenantId();
        assertSnapshotIsTheReplay(SubscriptionAggregate.class, aggregateId);
        assertThat(tenantPlan(owner.tenantId())).isEqualTo("professional");

        // loaded from the snapshot (the customer it binds included), the next event applies
        deliver("customer.subscription.updated", t + 10, StripePayloads.subscription(subscription, owner.tenantId(),
                customer, "active", "starter_month", t, null));
        assertThat(tenantPlan(owner.tenantId())).isEqualTo("starter");
    }

    private static String tenantPlan(String tenantId) {
        return app.jdbc().queryForObject("SELECT plan FROM tenants WHERE id = ?", String.class, tenantId);
    }

    @Test
    void usersApiKeysAndWebhooksSnapshotToTheStateTheirEventsGive() {
        Account owner = Accounts.registerAndLogin(http, "snap-others");
        String[] auth = bearer(owner.accessToken());
        Response key = http.post("/api/api-keys", Map.of("name", "snap", "scopes", List.of("users:read")), auth);
        assertThat(key.status()).as(key.toString()).isEqualTo(201);
        Response hook = http.post("/api/webhooks", Map.of("url", "http://127.0.0.1:9/snap", "event_types",
                List.of("lattice.created")), auth);
        assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
        Response changed = http.method("PATCH", "/api/webhooks/" + hook.text("id"), "{\"description\":\"changed\"}",
                auth);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        // a second event on each (a snapshot of an aggregate's first event alone is never written)
        Response rotated = http.post("/api/api-keys/" + key.text("id") + "/rotate", Map.of("grace_seconds", 3600), auth);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(201);
        Response reset = http.post("/auth/password-reset", Map.of("email", owner.email()));
        assertThat(reset.status()).as(reset.toString()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSequence(owner.userId()) >= 1);

        Snapshotter snapshotter = app.bean(Snapshotter.class);
        snapshotter.scheduleSnapshot(UserAggregate.class, owner.userId());
        snapshotter.scheduleSnapshot(ApiKeyAggregate.class, key.text("id"));
        snapshotter.scheduleSnapshot(WebhookAggregate.class, hook.text("id"));
        assertSnapshotIsTheReplay(UserAggregate.class, owner.userId());
        assertSnapshotIsTheReplay(ApiKeyAggregate.class, key.text("id"));
        assertSnapshotIsTheReplay(WebhookAggregate.class, hook.text("id"));

        // each is loaded from its snapshot for the next command
        Response again = http.method("PATCH", "/api/webhooks/" + hook.text("id"), "{\"description\":\"again\"}", auth);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.text("description")).isEqualTo("again");
        Response revoked = http.method("DELETE", "/api/api-keys/" + key.text("id"), null, auth);
        assertThat(revoked.status()).as(revoked.toString()).isIn(200, 204);
        assertThat(http.post("/auth/login", Map.of("email", owner.email(), "password", Accounts.PASSWORD)).status())
                .isEqualTo(200);
    }

    /** Delivers a signed Stripe event; it must be applied. */
    private static void deliver(String type, long created, String object) {
        String eventId = "evt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
        String payload = StripePayloads.event(eventId, type, created, object);
        Response r = http.postRaw("/webhooks/stripe", payload, "application/json", "Stripe-Signature",
                StripePayloads.sign(payload));
        assertThat(r.status()).as("%s %s", type, r).isEqualTo(200);
        String outcome = app.jdbc().queryForObject("SELECT outcome FROM stripe_events WHERE id = ?", String.class,
                eventId);
        assertThat(outcome).as("%s", type).startsWith("applied");
    }
}
