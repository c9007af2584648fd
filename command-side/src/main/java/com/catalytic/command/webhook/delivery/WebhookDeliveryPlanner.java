package com.catalytic.command.webhook.delivery;

import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.springframework.stereotype.Component;

/**
 * Turns each catalogued domain event into deliveries to the tenant's webhooks. A streaming processing group of its
 * own (its token in the token store: after a restart it goes on where it stopped, and an event handled twice plans
 * nothing twice), starting at the head when first deployed, never replayed: a replay must not send again.
 */
@Component
@ProcessingGroup(WebhookDeliveryPlanner.GROUP)
public class WebhookDeliveryPlanner {

    public static final String GROUP = "webhook-deliveries";

    private final WebhookDeliveries deliveries;

    public WebhookDeliveryPlanner(WebhookDeliveries deliveries) {
        this.deliveries = deliveries;
    }

    @EventHandler
    @DisallowReplay
    void on(Object payload, EventMessage<?> event) {
        WebhookPayloads.of(payload).ifPresent(p -> deliveries.plan(event.getIdentifier(), event.getTimestamp(), p));
    }
}
