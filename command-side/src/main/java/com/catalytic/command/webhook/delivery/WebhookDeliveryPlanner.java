package com.catalytic.command.webhook.delivery;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.api.usage.UsageEvents;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTarget;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookDeliveryRetryRequestedEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookDisabledForFailuresEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookRecoveryRequestedEvent;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookTestRequestedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookCreatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookDeletedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookSecretRotatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookUpdatedEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.stereotype.Component;

/**
 * Turns each catalogued domain event into deliveries to the tenant's webhooks. A streaming processing group of its
 * own (its token in the token store: after a restart it goes on where it stopped, and an event handled twice plans
 * nothing twice), starting at the head when first deployed, never replayed: a replay must not send again. It also
 * carries out what tenants ask for: a test delivery, a retry, a recovery since an instant.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.WEBHOOK_DELIVERIES)
class WebhookDeliveryPlanner {

    private static final String KNOWN_TARGETS = WebhookDeliveryPlanner.class.getName() + ".targets";
    /** Events after which a tenant's webhooks are read again (the update has a handler of its own). */
    private static final Set<Class<?>> CHANGES_TARGETS = Set.of(WebhookCreatedEvent.class, WebhookDeletedEvent.class,
            WebhookSecretRotatedEvent.class, WebhookDisabledForFailuresEvent.class);

    private final WebhookDeliveries deliveries;
    private final EventStore events;
    private final PersonalData personalData;

    public WebhookDeliveryPlanner(WebhookDeliveries deliveries, EventStore events, PersonalData personalData) {
        this.personalData = personalData;
        this.deliveries = deliveries;
        this.events = events;
    }

    @EventHandler
    @DisallowReplay
    void on(WebhookTestRequestedEvent e) {
        deliveries.planTest(e.tenantId(), e.webhookId(), e.testId());
        afterCommit(deliveries::wake);
    }

    @EventHandler
    @DisallowReplay
    void on(WebhookDeliveryRetryRequestedEvent e) {
        deliveries.retry(e.tenantId(), e.webhookId(), e.deliveryId());
        afterCommit(deliveries::wake);
    }

    @EventHandler
    @DisallowReplay
    void on(WebhookRecoveryRequestedEvent e) {
        deliveries.recover(e.tenantId(), e.webhookId(), e.since(), events, personalData);
    }

    @EventHandler
    @DisallowReplay
    void on(WebhookUpdatedEvent e) {
        knownInBatch().clear();
        if (e.enabled()) {
            deliveries.resetHealth(e.webhookId());
        }
    }

    @EventHandler
    @DisallowReplay
    void on(EventMessage<?> event) {
        if (UsageEvents.recordsCalls(event.getPayloadType())) {
            return; // metered calls are no webhook event: skipped by type, their payload never read
        }
        Object payload = event.getPayload();
        if (CHANGES_TARGETS.contains(payload.getClass())) {
            knownInBatch().clear();
        }
        WebhookPayloads.of(payload, personalData).ifPresent(p -> {
            if (!deliveries.plan(event.getIdentifier(), event.getTimestamp(), p, knownInBatch()).isEmpty()) {
                afterCommit(deliveries::wake);
            }
        });
    }

    /**
     * The webhooks of the tenants asked for while handling this batch of events, asked for again after an event of
     * the batch changed webhooks.
     */
    private static Map<String, List<DeliveryTarget>> knownInBatch() {
        if (!CurrentUnitOfWork.isStarted()) {
            return new HashMap<>();
        }
        return CurrentUnitOfWork.get().root().getOrComputeResource(KNOWN_TARGETS, k -> new HashMap<>());
    }

    private static void afterCommit(Runnable action) {
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(u -> action.run());
        } else {
            action.run();
        }
    }
}
