package com.catalytic.command.webhook;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DisableFailingWebhookCommand;
import com.catalytic.api.webhook.WebhookDeliveryMessages.RecoverWebhookCommand;
import com.catalytic.api.webhook.WebhookDeliveryMessages.RetryWebhookDeliveryCommand;
import com.catalytic.api.webhook.WebhookDeliveryMessages.SendWebhookTestCommand;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookDeliveryRetryRequestedEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookDisabledForFailuresEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookRecoveryRequestedEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookTestRequestedEvent;
import com.catalytic.api.webhook.WebhookEventTypes;
import com.catalytic.api.webhook.WebhookMessages.CreateWebhookCommand;
import com.catalytic.api.webhook.WebhookMessages.DeleteWebhookCommand;
import com.catalytic.api.webhook.WebhookMessages.RotateWebhookSecretCommand;
import com.catalytic.api.webhook.WebhookMessages.UpdateWebhookCommand;
import com.catalytic.api.webhook.WebhookMessages.WebhookCreatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookDeletedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookSecretRotatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookUpdatedEvent;
import com.catalytic.infrastructure.webhook.WebhookTargets;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A tenant's webhook endpoint. Rules: managed by admins and owners (or the system); the event types are those of the
 * catalogue (none: all); a deleted webhook, or one of another tenant, does not exist; a rotated secret keeps signing
 * beside the new one for {@link #SECRET_OVERLAP}. The URL's address rules need the network and are checked by the
 * service ({@link WebhookTargets}) before the command is sent.
 */
@Aggregate(type = "webhook", snapshotTriggerDefinition = "webhookSnapshotTrigger")
@Revision("1")
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class WebhookAggregate {

    public static final int MAX_DESCRIPTION = 500;
    public static final int MAX_EVENT_TYPES = 50;
    public static final Duration SECRET_OVERLAP = Duration.ofHours(24);

    @AggregateIdentifier
    private String webhookId;
    private String tenantId;
    private String url;
    private String description;
    private TreeSet<String> eventTypes;
    private boolean enabled;
    private boolean deleted;

    protected WebhookAggregate() {
    }

    @CommandHandler
    public WebhookAggregate(CreateWebhookCommand cmd) {
        requireManager(cmd.actor());
        requireUrl(cmd.url());
        apply(new WebhookCreatedEvent(cmd.webhookId(), cmd.tenantId(), cmd.url(), description(cmd.description()),
                eventTypes(cmd.eventTypes()), cmd.enabled(), cmd.encryptedSecret(), cmd.actor().userId()));
    }

    @CommandHandler
    public void handle(UpdateWebhookCommand cmd) {
        requireVisibleTo(cmd.tenantId(), cmd.actor());
        if (cmd.url() == null && cmd.description() == null && cmd.eventTypes() == null && cmd.enabled() == null) {
            throw DomainException.validation("url", "nothing_to_change",
                    "give at least one of url, description, event_types, enabled");
        }
        String newUrl = cmd.url() == null ? url : requireUrl(cmd.url());
        String newDescription = cmd.description() == null ? description : description(cmd.description());
        Set<String> newTypes = cmd.eventTypes() == null ? eventTypes : eventTypes(cmd.eventTypes());
        boolean newEnabled = cmd.enabled() == null ? enabled : cmd.enabled();
        if (newUrl.equals(url) && Objects.equals(newDescription, description) && newTypes.equals(eventTypes)
                && newEnabled == enabled) {
            return; // nothing changes: no event, no audit entry
        }
        apply(new WebhookUpdatedEvent(webhookId, tenantId, newUrl, newDescription, newTypes, newEnabled,
                cmd.actor().userId()));
    }

    @CommandHandler
    public void handle(DeleteWebhookCommand cmd) {
        requireVisibleTo(cmd.tenantId(), cmd.actor());
        apply(new WebhookDeletedEvent(webhookId, tenantId, cmd.actor().userId()));
    }

    @CommandHandler
    public void handle(RotateWebhookSecretCommand cmd) {
        requireVisibleTo(cmd.tenantId(), cmd.actor());
        apply(new WebhookSecretRotatedEvent(webhookId, tenantId, cmd.encryptedSecret(),
                cmd.requestedAt().plus(SECRET_OVERLAP), cmd.actor().userId()));
    }

    @CommandHandler
    public void handle(SendWebhookTestCommand cmd) {
        requireVisibleTo(cmd.tenantId(), cmd.actor());
        apply(new WebhookTestRequestedEvent(webhookId, tenantId, cmd.testId(), cmd.actor().userId()));
    }

    @CommandHandler
    public void handle(RetryWebhookDeliveryCommand cmd) {
        requireVisibleTo(cmd.tenantId(), cmd.actor());
        apply(new WebhookDeliveryRetryRequestedEvent(webhookId, tenantId, cmd.deliveryId(), cmd.actor().userId()));
    }

    @CommandHandler
    public void handle(RecoverWebhookCommand cmd) {
        requireVisibleTo(cmd.tenantId(), cmd.actor());
        apply(new WebhookRecoveryRequestedEvent(webhookId, tenantId, cmd.since(), cmd.actor().userId()));
    }

    /** Disabled once; a webhook enabled again by its tenant starts a new failure window. */
    @CommandHandler
    public void handle(DisableFailingWebhookCommand cmd) {
        if (deleted || !tenantId.equals(cmd.tenantId()) || !enabled) {
            return;
        }
        apply(new WebhookDisabledForFailuresEvent(webhookId, tenantId, cmd.failingSince(), cmd.lastFailureAt()));
    }

    private void requireVisibleTo(String callerTenant, Actor actor) {
        if (deleted || !tenantId.equals(callerTenant)) {
            throw DomainException.notFound("webhook");
        }
        requireManager(actor);
    }

    private static void requireManager(Actor actor) {
        if (!actor.isSystem() && (actor.role() == null || !actor.role().includes(Role.ADMIN))) {
            throw DomainException.forbidden("insufficient_scope", "managing webhooks needs the role admin or owner");
        }
    }

    private static String requireUrl(String url) {
        if (url == null || url.isBlank() || url.length() > WebhookTargets.MAX_URL_LENGTH) {
            throw DomainException.validation("url", "invalid_url",
                    "url must be an absolute http(s) URL of at most " + WebhookTargets.MAX_URL_LENGTH + " characters");
        }
        return url;
    }

    private static String description(String description) {
        String d = description == null ? "" : description.trim();
        if (d.length() > MAX_DESCRIPTION) {
            throw DomainException.validation("description", "invalid_description",
                    "description must be at most " + MAX_DESCRIPTION + " characters");
        }
        return d;
    }

    private static Set<String> eventTypes(Set<String> requested) {
        if (requested == null) {
            return new TreeSet<>();
        }
        if (requested.size() > MAX_EVENT_TYPES) {
            throw DomainException.validation("event_types", "invalid_event_types",
                    "at most " + MAX_EVENT_TYPES + " event types");
        }
        for (String type : requested) {
            if (type == null || !WebhookEventTypes.isKnown(type) || WebhookEventTypes.TEST.equals(type)) {
                throw DomainException.validation("event_types", "unknown_event_type", "unknown event type '" + type
                        + "'; GET /api/webhooks/event-types lists them");
            }
        }
        return new TreeSet<>(requested);
    }

    @EventSourcingHandler
    void on(WebhookCreatedEvent e) {
        this.webhookId = e.webhookId();
        this.tenantId = e.tenantId();
        this.url = e.url();
        this.description = e.description();
        this.eventTypes = new TreeSet<>(e.eventTypes());
        this.enabled = e.enabled();
    }

    @EventSourcingHandler
    void on(WebhookUpdatedEvent e) {
        this.url = e.url();
        this.description = e.description();
        this.eventTypes = new TreeSet<>(e.eventTypes());
        this.enabled = e.enabled();
    }

    @EventSourcingHandler
    void on(WebhookDisabledForFailuresEvent e) {
        this.enabled = false;
    }

    @EventSourcingHandler
    void on(WebhookDeletedEvent e) {
        this.deleted = true;
    }
}
