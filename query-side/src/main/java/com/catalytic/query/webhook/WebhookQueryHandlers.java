package com.catalytic.query.webhook;

import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTarget;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTargets;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTargetsQuery;
import com.catalytic.api.webhook.WebhookMessages.FindWebhookQuery;
import com.catalytic.api.webhook.WebhookMessages.ListWebhooksQuery;
import com.catalytic.api.webhook.WebhookMessages.WebhookView;
import com.catalytic.projections.webhook.WebhookRepository;
import com.catalytic.projections.webhook.WebhookRow;
import java.util.List;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Webhooks of the asking tenant only: another tenant's webhook is not found. */
@Component
@Transactional(readOnly = true)
class WebhookQueryHandlers {

    private final WebhookRepository webhooks;

    public WebhookQueryHandlers(WebhookRepository webhooks) {
        this.webhooks = webhooks;
    }

    @QueryHandler
    public List<WebhookView> handle(ListWebhooksQuery query) {
        return webhooks.findByTenantIdOrderByCreatedAtAsc(query.tenantId()).stream()
                .map(WebhookQueryHandlers::view).toList();
    }

    @QueryHandler
    public WebhookView handle(FindWebhookQuery query) {
        return webhooks.findByIdAndTenantId(query.webhookId(), query.tenantId()).map(WebhookQueryHandlers::view)
                .orElse(null);
    }

    /** For deliveries only: the sealed secrets stay inside the application. */
    @QueryHandler
    public DeliveryTargets handle(DeliveryTargetsQuery query) {
        return new DeliveryTargets(webhooks.findByTenantIdOrderByCreatedAtAsc(query.tenantId()).stream()
                .map(w -> new DeliveryTarget(w.getId(), w.getTenantId(), w.getUrl(), w.getEventTypes(),
                        w.isEnabled(), w.getSecretCiphertext(), w.getPreviousSecretCiphertext(),
                        w.getPreviousSecretValidUntil(), w.getCreatedAt()))
                .toList());
    }

    static WebhookView view(WebhookRow w) {
        return new WebhookView(w.getId(), w.getUrl(), w.getDescription(), w.getEventTypes(), w.isEnabled(),
                w.getCreatedBy(), w.getCreatedAt(), w.getUpdatedAt(), w.getSecretRotatedAt(),
                w.getPreviousSecretValidUntil());
    }
}
