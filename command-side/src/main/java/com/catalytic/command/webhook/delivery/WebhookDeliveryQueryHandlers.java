package com.catalytic.command.webhook.delivery;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryExistsQuery;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryPage;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryView;
import com.catalytic.api.webhook.WebhookDeliveryMessages.ListDeliveriesQuery;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookHealth;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookHealthQuery;
import com.catalytic.command.webhook.delivery.WebhookDeliveryRepository.Position;
import com.catalytic.command.webhook.delivery.WebhookDeliveryRepository.Slice;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/**
 * Answers about deliveries, from the tables the delivery side owns: a webhook's deliveries newest first with every
 * attempt (cursor paging), whether a delivery is the tenant's, and how a webhook's deliveries fare. The caller has
 * checked that the webhook is the tenant's; the tenant is in every condition anyway.
 */
@Component
class WebhookDeliveryQueryHandlers {

    private final WebhookDeliveryRepository deliveries;

    public WebhookDeliveryQueryHandlers(WebhookDeliveryRepository deliveries) {
        this.deliveries = deliveries;
    }

    @QueryHandler
    public WebhookHealth handle(WebhookHealthQuery q) {
        return deliveries.health(q.webhookId());
    }

    @QueryHandler
    public Boolean handle(DeliveryExistsQuery q) {
        return deliveries.exists(q.tenantId(), q.webhookId(), q.deliveryId());
    }

    @QueryHandler
    public DeliveryPage handle(ListDeliveriesQuery q) {
        Position after = q.cursor() == null ? null : position(q.cursor());
        Slice slice = deliveries.newestFirst(q.tenantId(), q.webhookId(), q.status(), after, q.limit());
        List<DeliveryView> page = slice.deliveries();
        String next = null;
        if (slice.more()) {
            DeliveryView last = page.get(page.size() - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString((last.createdAt() + "|" + last.id())
                    .getBytes(StandardCharsets.UTF_8));
        }
        return new DeliveryPage(page, next);
    }

    private static Position position(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            return new Position(Timestamp.from(Instant.parse(parts[0])), parts[1]);
        } catch (RuntimeException e) {
            throw DomainException.validation("cursor", "invalid_cursor", "cursor is not one this API gave out");
        }
    }
}
