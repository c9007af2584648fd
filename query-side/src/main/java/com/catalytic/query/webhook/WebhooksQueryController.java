package com.catalytic.query.webhook;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookHealth;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookHealthQuery;
import com.catalytic.api.webhook.WebhookEventTypes.EventType;
import com.catalytic.api.webhook.WebhookEventTypes;
import com.catalytic.api.webhook.WebhookMessages.FindWebhookQuery;
import com.catalytic.api.webhook.WebhookMessages.ListWebhooksQuery;
import com.catalytic.api.webhook.WebhookMessages.WebhookView;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The tenant's webhooks (never their secrets) and the catalogue of event types they can subscribe to. */
@RestController
class WebhooksQueryController {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final QueryGateway queries;
    private final ObjectMapper json;

    public WebhooksQueryController(QueryGateway queries, ObjectMapper json) {
        this.queries = queries;
        this.json = json;
    }

    /** The catalogue is the same for everyone and describes no tenant's data: any authenticated caller may read it. */
    @GetMapping("/api/webhooks/event-types")
    public Map<String, List<EventType>> eventTypes(Caller caller) {
        return Map.of("event_types", WebhookEventTypes.all());
    }

    @GetMapping("/api/webhooks")
    public Map<String, List<WebhookView>> list(Caller caller) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        return Map.of("webhooks", queries.query(new ListWebhooksQuery(caller.tenantId()),
                ResponseTypes.multipleInstancesOf(WebhookView.class)).join());
    }

    /** The webhook and how its deliveries fare ({@code failing_since} set while every attempt fails). */
    @GetMapping("/api/webhooks/{id}")
    public Map<String, Object> get(Caller caller, @PathVariable("id") String id) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        WebhookView v = queries.query(new FindWebhookQuery(caller.tenantId(), id),
                ResponseTypes.instanceOf(WebhookView.class)).join();
        if (v == null) {
            throw DomainException.notFound("webhook");
        }
        Map<String, Object> out = new LinkedHashMap<>(json.convertValue(v, MAP));
        out.put("delivery_health", queries.query(new WebhookHealthQuery(caller.tenantId(), id),
                ResponseTypes.instanceOf(WebhookHealth.class)).join());
        return out;
    }
}
