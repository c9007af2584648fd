package com.catalytic.projections.webhook;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookDisabledForFailuresEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookCreatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookDeletedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookSecretRotatedEvent;
import com.catalytic.api.webhook.WebhookMessages.WebhookUpdatedEvent;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.stereotype.Component;

/**
 * Builds {@code webhooks}. Subscribing: a webhook's answer (and the next delivery) must see the change at once, and
 * nothing is delivered to a deleted endpoint.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.WEBHOOKS)
class WebhookProjection {

    private final WebhookRepository webhooks;

    public WebhookProjection(WebhookRepository webhooks) {
        this.webhooks = webhooks;
    }

    @EventHandler
    void on(WebhookCreatedEvent e, @Timestamp Instant at) {
        webhooks.save(new WebhookRow(e.webhookId(), e.tenantId(), e.url(), e.description(), e.eventTypes(),
                e.enabled(), e.encryptedSecret(), e.createdBy(), at));
    }

    @EventHandler
    void on(WebhookUpdatedEvent e, @Timestamp Instant at) {
        webhooks.findById(e.webhookId()).ifPresent(w -> {
            w.change(e.url(), e.description(), e.eventTypes(), e.enabled(), at);
            webhooks.save(w);
        });
    }

    @EventHandler
    void on(WebhookSecretRotatedEvent e, @Timestamp Instant at) {
        webhooks.findById(e.webhookId()).ifPresent(w -> {
            w.rotateSecret(e.encryptedSecret(), e.previousValidUntil(), at);
            webhooks.save(w);
        });
    }

    @EventHandler
    void on(WebhookDisabledForFailuresEvent e, @Timestamp Instant at) {
        webhooks.findById(e.webhookId()).ifPresent(w -> {
            w.change(w.getUrl(), w.getDescription(), w.getEventTypes(), false, at);
            webhooks.save(w);
        });
    }

    @EventHandler
    void on(WebhookDeletedEvent e) {
        webhooks.deleteById(e.webhookId());
    }

    @ResetHandler
    void reset() {
        webhooks.deleteAllInBatch();
    }
}
