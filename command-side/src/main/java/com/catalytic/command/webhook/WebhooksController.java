package com.catalytic.command.webhook;

import com.catalytic.api.identity.Caller;
import com.catalytic.infrastructure.webhook.WebhookTargets;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Webhooks (write side). Reads and the event catalogue are in the query side. */
@RestController
class WebhooksController {

    public record CreateWebhookRequest(@NotBlank @Size(max = WebhookTargets.MAX_URL_LENGTH) String url,
                                @Size(max = WebhookAggregate.MAX_DESCRIPTION) String description,
                                @Size(max = WebhookAggregate.MAX_EVENT_TYPES) Set<String> eventTypes,
                                Boolean enabled) {
    }

    public record ChangeWebhookRequest(@Size(min = 1, max = WebhookTargets.MAX_URL_LENGTH) String url,
                                @Size(max = WebhookAggregate.MAX_DESCRIPTION) String description,
                                @Size(max = WebhookAggregate.MAX_EVENT_TYPES) Set<String> eventTypes,
                                Boolean enabled) {
    }

    private final WebhookService webhooks;

    public WebhooksController(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @PostMapping(path = "/api/webhooks", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> create(Caller caller, @Valid @RequestBody CreateWebhookRequest body) {
        return webhooks.create(caller, body.url(), body.description(), body.eventTypes(), body.enabled());
    }

    @PatchMapping(path = "/api/webhooks/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> change(Caller caller, @PathVariable("id") String id,
                                      @Valid @RequestBody ChangeWebhookRequest body) {
        return webhooks.update(caller, id, body.url(), body.description(), body.eventTypes(), body.enabled());
    }

    @DeleteMapping("/api/webhooks/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void delete(Caller caller, @PathVariable("id") String id) {
        webhooks.delete(caller, id);
    }

    @PostMapping("/api/webhooks/{id}/rotate-secret")
    public Map<String, Object> rotateSecret(Caller caller, @PathVariable("id") String id) {
        return webhooks.rotateSecret(caller, id);
    }
}
