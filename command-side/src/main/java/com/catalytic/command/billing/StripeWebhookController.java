package com.catalytic.command.billing;

import java.util.Map;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /webhooks/stripe}: 200 {@code {"received":true}} (duplicates too), 400 when the signature fails. */
@RestController
class StripeWebhookController {

    private final StripeWebhooks webhooks;

    public StripeWebhookController(StripeWebhooks webhooks) {
        this.webhooks = webhooks;
    }

    @PostMapping("/webhooks/stripe")
    public Map<String, Object> receive(@RequestBody(required = false) byte[] body,
                                       @RequestHeader(name = "Stripe-Signature", required = false) String signature) {
        webhooks.receive(body, signature);
        return Map.of("received", true);
    }
}
