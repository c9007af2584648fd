package com.catalytic.command.webhook;

import static com.catalytic.command.DomainExceptionMatchers.hasCode;

import com.catalytic.api.error.DomainException.Kind;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.webhook.WebhookDeliveryMessages;
import com.catalytic.api.webhook.WebhookMessages.CreateWebhookCommand;
import com.catalytic.api.webhook.WebhookMessages.DeleteWebhookCommand;
import com.catalytic.api.webhook.WebhookMessages.RotateWebhookSecretCommand;
import com.catalytic.api.webhook.WebhookMessages.UpdateWebhookCommand;
import com.catalytic.api.webhook.WebhookMessages.WebhookCreatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookDeletedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookSecretRotatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookUpdatedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WebhookAggregateTest {

    static final String ID = "wh-1";
    static final String TENANT = "t-1";
    static final String URL = "https://hooks.example.com/in";
    static final Actor ADMIN = new Actor("u-admin", Role.ADMIN, null);
    static final WebhookCreatedEvent CREATED = new WebhookCreatedEvent(ID, TENANT, URL, "orders",
            Set.of("user.added"), true, "v1.sealed", "u-admin");

    AggregateTestFixture<WebhookAggregate> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(WebhookAggregate.class);
    }

    @Test
    void anAdminCreatesAWebhookForKnownEventTypes() {
        fixture.givenNoPriorActivity()
                .when(new CreateWebhookCommand(ID, TENANT, URL, " orders ", Set.of("user.added"), true, "v1.sealed",
                        ADMIN))
                .expectEvents(CREATED);
    }

    @Test
    void noEventTypesMeansEveryType() {
        fixture.givenNoPriorActivity()
                .when(new CreateWebhookCommand(ID, TENANT, URL, null, null, false, "v1.sealed", ADMIN))
                .expectEvents(new WebhookCreatedEvent(ID, TENANT, URL, "", Set.of(), false, "v1.sealed", "u-admin"));
    }

    @Test
    void anUnknownEventTypeIsRefused() {
        fixture.givenNoPriorActivity()
                .when(new CreateWebhookCommand(ID, TENANT, URL, null, Set.of("user.added", "user.exploded"), true,
                        "v1.sealed", ADMIN))
                .expectException(hasCode(Kind.VALIDATION, "unknown_event_type", "event_types"));
    }

    @Test
    void theTestTypeCannotBeSubscribedTo() {
        fixture.givenNoPriorActivity()
                .when(new CreateWebhookCommand(ID, TENANT, URL, null, Set.of("webhook.test"), true, "v1.sealed",
                        ADMIN))
                .expectException(hasCode(Kind.VALIDATION, "unknown_event_type", "event_types"));
    }

    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"MEMBER", "VIEWER"})
    void belowAdminNobodyManagesWebhooks(Role role) {
        Actor actor = new Actor("u-low", role, null);
        fixture.givenNoPriorActivity()
                .when(new CreateWebhookCommand(ID, TENANT, URL, null, null, true, "v1.sealed", actor))
                .expectException(hasCode(Kind.FORBIDDEN, "insufficient_scope", null));
        fixture.given(CREATED)
                .when(new DeleteWebhookCommand(ID, TENANT, actor))
                .expectException(hasCode(Kind.FORBIDDEN, "insufficient_scope", null));
    }

    @Test
    void anUpdateRecordsTheWholeNewStateAndAnEmptyOneIsRefused() {
        fixture.given(CREATED)
                .when(new UpdateWebhookCommand(ID, TENANT, null, null, null, false, ADMIN))
                .expectEvents(new WebhookUpdatedEvent(ID, TENANT, URL, "orders", Set.of("user.added"), false,
                        "u-admin"));
        fixture.given(CREATED)
                .when(new UpdateWebhookCommand(ID, TENANT, null, null, null, null, ADMIN))
                .expectException(hasCode(Kind.VALIDATION, "nothing_to_change", "url"));
    }

    @Test
    void anUpdateThatChangesNothingRecordsNothing() {
        fixture.given(CREATED)
                .when(new UpdateWebhookCommand(ID, TENANT, URL, "orders", Set.of("user.added"), true, ADMIN))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aRotatedSecretKeepsSigningForADay() {
        Instant at = Instant.parse("2030-01-01T00:00:00Z");
        fixture.given(CREATED)
                .when(new RotateWebhookSecretCommand(ID, TENANT, "v1.new", at, ADMIN))
                .expectEvents(new WebhookSecretRotatedEvent(ID, TENANT, "v1.new",
                        Instant.parse("2030-01-02T00:00:00Z"), "u-admin"));
    }

    @Test
    void anotherTenantsWebhookDoesNotExist() {
        fixture.given(CREATED)
                .when(new DeleteWebhookCommand(ID, "t-other", ADMIN))
                .expectException(hasCode(Kind.NOT_FOUND, "not_found", null));
        fixture.given(CREATED)
                .when(new UpdateWebhookCommand(ID, "t-other", null, null, null, false, ADMIN))
                .expectException(hasCode(Kind.NOT_FOUND, "not_found", null));
        fixture.given(CREATED)
                .when(new DeleteWebhookCommand(ID, TENANT, ADMIN))
                .expectEvents(new WebhookDeletedEvent(ID, TENANT, "u-admin"));
    }

    @Test
    void aDeletedWebhookDoesNotExist() {
        fixture.given(CREATED, new WebhookDeletedEvent(ID, TENANT, "u-admin"))
                .when(new RotateWebhookSecretCommand(ID, TENANT, "v1.new", Instant.now(), ADMIN))
                .expectException(DomainException.class)
                .expectException(hasCode(Kind.NOT_FOUND, "not_found", null));
        fixture.given(CREATED, new WebhookDeletedEvent(ID, TENANT, "u-admin"))
                .when(new DeleteWebhookCommand(ID, TENANT, ADMIN))
                .expectException(hasCode(Kind.NOT_FOUND, "not_found", null));
    }

    @Test
    void aWebhookFailingTooLongIsDisabledOnceAndARecoveryIsRecorded() {
        Instant since = Instant.parse("2026-11-01T00:00:00Z");
        Instant last = since.plus(Duration.ofDays(5));
        fixture.given(CREATED)
                .when(new WebhookDeliveryMessages.DisableFailingWebhookCommand(ID, TENANT,
                        since, last))
                .expectEvents(new WebhookDeliveryMessages.WebhookDisabledForFailuresEvent(
                        ID, TENANT, since, last));
        fixture.given(CREATED, new WebhookDeliveryMessages.WebhookDisabledForFailuresEvent(
                        ID, TENANT, since, last))
                .when(new WebhookDeliveryMessages.DisableFailingWebhookCommand(ID, TENANT,
                        since, last.plusSeconds(60)))
                .expectNoEvents();
        fixture.given(CREATED)
                .when(new WebhookDeliveryMessages.RecoverWebhookCommand(ID, TENANT, since,
                        ADMIN))
                .expectEvents(new WebhookDeliveryMessages.WebhookRecoveryRequestedEvent(ID,
                        TENANT, since, "u-admin"));
    }

    @Test
    void anotherTenantCannotTestOrRetryAWebhook() {
        fixture.given(CREATED)
                .when(new WebhookDeliveryMessages.SendWebhookTestCommand(ID, "t-other",
                        "test_1", ADMIN))
                .expectException(hasCode(Kind.NOT_FOUND, "not_found", null));
    }
}
