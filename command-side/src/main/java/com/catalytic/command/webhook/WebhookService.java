package com.catalytic.command.webhook;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.webhook.WebhookMessages.CreateWebhookCommand;
import com.catalytic.api.webhook.WebhookMessages.DeleteWebhookCommand;
import com.catalytic.api.webhook.WebhookMessages.FindWebhookQuery;
import com.catalytic.api.webhook.WebhookMessages.ListWebhooksQuery;
import com.catalytic.api.webhook.WebhookMessages.RotateWebhookSecretCommand;
import com.catalytic.api.webhook.WebhookMessages.UpdateWebhookCommand;
import com.catalytic.api.webhook.WebhookMessages.WebhookView;
import com.catalytic.infrastructure.secrets.Ids;
import com.catalytic.infrastructure.webhook.WebhookSecrets;
import com.catalytic.infrastructure.webhook.WebhookTargets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/** Creating, changing, deleting webhooks and rotating their secrets. The secret is returned here once. */
@Service
class WebhookService {

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final WebhookTargets targets;
    private final WebhookSecrets secrets;
    private final Clock clock;
    private final int maxPerTenant;

    /**
     * @param maxPerTenant webhooks a tenant may have; checked against its webhooks when a creation arrives, so
     *                     creations running at once can each pass it (by at most the number running at once)
     */
    public WebhookService(CommandGateway commands, QueryGateway queries, WebhookTargets targets,
                          WebhookSecrets secrets, Clock clock,
                          @Value("${catalytic.webhooks.max-per-tenant:20}") int maxPerTenant) {
        this.commands = commands;
        this.queries = queries;
        this.targets = targets;
        this.secrets = secrets;
        this.clock = clock;
        this.maxPerTenant = maxPerTenant;
    }

    public Map<String, Object> create(Caller caller, String url, String description, Set<String> eventTypes,
                                      Boolean enabled) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        String checked = targets.check(url).uri().toString();
        int existing = queries.query(new ListWebhooksQuery(caller.tenantId()),
                ResponseTypes.multipleInstancesOf(WebhookView.class)).join().size();
        if (existing >= maxPerTenant) {
            throw DomainException.conflict("webhook_limit", "a tenant has at most " + maxPerTenant
                    + " webhooks; delete one it no longer needs (one webhook can receive several event types)", "url");
        }
        String webhookId = Ids.newId();
        String secret = WebhookSecrets.generate();
        commands.sendAndWait(new CreateWebhookCommand(webhookId, caller.tenantId(), checked, description,
                eventTypes, enabled == null || enabled, secrets.encrypt(webhookId, secret), Actor.of(caller)));
        Map<String, Object> out = describe(view(caller.tenantId(), webhookId));
        out.put("secret", secret);
        return out;
    }

    public Map<String, Object> update(Caller caller, String webhookId, String url, String description,
                                      Set<String> eventTypes, Boolean enabled) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        String checked = url == null ? null : targets.check(url).uri().toString();
        send(new UpdateWebhookCommand(webhookId, caller.tenantId(), checked, description, eventTypes, enabled,
                Actor.of(caller)));
        return describe(view(caller.tenantId(), webhookId));
    }

    public void delete(Caller caller, String webhookId) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        send(new DeleteWebhookCommand(webhookId, caller.tenantId(), Actor.of(caller)));
    }

    public Map<String, Object> rotateSecret(Caller caller, String webhookId) {
        caller.require(Scopes.WEBHOOKS_MANAGE);
        String secret = WebhookSecrets.generate();
        send(new RotateWebhookSecretCommand(webhookId, caller.tenantId(), secrets.encrypt(webhookId, secret),
                clock.instant(), Actor.of(caller)));
        WebhookView v = view(caller.tenantId(), webhookId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", v.id());
        out.put("secret", secret);
        out.put("previous_secret_valid_until", v.previousSecretValidUntil());
        return out;
    }

    private void send(Object command) {
        try {
            commands.sendAndWait(command);
        } catch (AggregateNotFoundException e) {
            throw DomainException.notFound("webhook");
        }
    }

    /** The fields of {@link WebhookView}, as the query side's GET answers them. */
    private static Map<String, Object> describe(WebhookView v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", v.id());
        out.put("url", v.url());
        out.put("description", v.description());
        out.put("event_types", v.eventTypes());
        out.put("enabled", v.enabled());
        out.put("created_by", v.createdBy());
        out.put("created_at", v.createdAt());
        out.put("updated_at", v.updatedAt());
        out.put("secret_rotated_at", v.secretRotatedAt());
        out.put("previous_secret_valid_until", v.previousSecretValidUntil());
        return out;
    }

    private WebhookView view(String tenantId, String webhookId) {
        WebhookView v = queries.query(new FindWebhookQuery(tenantId, webhookId),
                ResponseTypes.instanceOf(WebhookView.class)).join();
        if (v == null) {
            throw DomainException.notFound("webhook");
        }
        return v;
    }
}
