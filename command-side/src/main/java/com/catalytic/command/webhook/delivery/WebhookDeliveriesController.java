package com.catalytic.command.webhook.delivery;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryExistsQuery;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryPage;
import com.catalytic.api.webhook.WebhookDeliveryMessages.ListDeliveriesQuery;
import com.catalytic.api.webhook.WebhookDeliveryMessages.RecoverWebhookCommand;
import com.catalytic.api.webhook.WebhookDeliveryMessages.RetryWebhookDeliveryCommand;
import com.catalytic.api.webhook.WebhookDeliveryMessages.SendWebhookTestCommand;
import com.catalytic.api.webhook.WebhookMessages.FindWebhookQuery;
import com.catalytic.api.webhook.WebhookMessages.WebhookView;
import com.catalytic.infrastructure.secrets.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A webhook's deliveries: the list (newest first, cursor paging, status filter), a retry of one, a test delivery,
 * and a recovery of everything since an instant. Retry, test and recover are commands on the webhook (audited),
 * carried out by the delivery processor: they answer 202.
 */
@RestController
class WebhookDeliveriesController {

    public static final int MAX_LIMIT = 200;
    public static final Duration MAX_RECOVERY = Duration.ofDays(30);

    public record RecoverRequest(String since) {
    }

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final Clock clock;

    public WebhookDeliveriesController(CommandGateway commands, QueryGateway queries, Clock clock) {
        this.commands = commands;
        this.queries = queries;
        this.clock = clock;
    }

    @GetMapping("/api/webhooks/{id}/deliveries")
    public DeliveryPage list(Caller caller, @PathVariable("id") String id,
                             @RequestParam(name = "status", required = false) String status,
                             @RequestParam(name = "cursor", required = false) String cursor,
                             @RequestParam(name = "limit", required = false) Integer limit) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        requireWebhook(caller, id);
        if (status != null && !WebhookDeliveries.STATUSES.contains(status)) {
            throw DomainException.validation("status", "invalid_status",
                    "status must be one of pending, succeeded, failed, cancelled");
        }
        int n = limit == null ? 50 : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw DomainException.validation("limit", "invalid_limit", "limit must be 1 to " + MAX_LIMIT);
        }
        return queries.query(new ListDeliveriesQuery(caller.tenantId(), id, status, cursor, n),
                ResponseTypes.instanceOf(DeliveryPage.class)).join();
    }

    @PostMapping("/api/webhooks/{id}/deliveries/{deliveryId}/retry")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public Map<String, Object> retry(Caller caller, @PathVariable("id") String id,
                                     @PathVariable("deliveryId") String deliveryId) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        requireWebhook(caller, id);
        if (!queries.query(new DeliveryExistsQuery(caller.tenantId(), id, deliveryId),
                ResponseTypes.instanceOf(Boolean.class)).join()) {
            throw DomainException.notFound("delivery");
        }
        send(new RetryWebhookDeliveryCommand(id, caller.tenantId(), deliveryId, Actor.of(caller)));
        return answer("delivery_id", deliveryId);
    }

    @PostMapping("/api/webhooks/{id}/test")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public Map<String, Object> test(Caller caller, @PathVariable("id") String id) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        String testId = "test_" + Ids.newId();
        send(new SendWebhookTestCommand(id, caller.tenantId(), testId, Actor.of(caller)));
        Map<String, Object> out = answer("delivery_id", WebhookDeliveries.deliveryId(id, testId));
        out.put("event_id", testId);
        return out;
    }

    @PostMapping("/api/webhooks/{id}/recover")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public Map<String, Object> recover(Caller caller, @PathVariable("id") String id,
                                       @RequestBody(required = false) RecoverRequest body) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        if (body == null || body.since() == null || body.since().isBlank()) {
            throw DomainException.validation("since", "invalid_since", "since is required (an ISO-8601 instant)");
        }
        Instant since;
        try {
            since = Instant.parse(body.since().trim());
        } catch (DateTimeParseException e) {
            throw DomainException.validation("since", "invalid_since", "since must be an ISO-8601 instant, e.g. "
                    + "2026-01-31T12:00:00Z");
        }
        Instant now = clock.instant();
        if (since.isAfter(now) || since.isBefore(now.minus(MAX_RECOVERY))) {
            throw DomainException.validation("since", "invalid_since", "since must lie within the last "
                    + MAX_RECOVERY.toDays() + " days");
        }
        send(new RecoverWebhookCommand(id, caller.tenantId(), since, Actor.of(caller)));
        Map<String, Object> out = answer("webhook_id", id);
        out.put("since", since);
        return out;
    }

    private static Map<String, Object> answer(String key, String value) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(key, value);
        out.put("status", "accepted");
        return out;
    }

    private void requireWebhook(Caller caller, String id) {
        WebhookView v = queries.query(new FindWebhookQuery(caller.tenantId(), id),
                ResponseTypes.instanceOf(WebhookView.class)).join();
        if (v == null) {
            throw DomainException.notFound("webhook");
        }
    }

    private void send(Object command) {
        try {
            commands.sendAndWait(command);
        } catch (AggregateNotFoundException e) {
            throw DomainException.notFound("webhook");
        }
    }
}
