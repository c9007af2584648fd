package com.catalytic.command.billing;

import com.catalytic.api.identity.Caller;
import com.catalytic.command.billing.StripeGateway.Redirect;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/subscription/checkout} and {@code POST /api/subscription/portal}. */
@RestController
class BillingController {

    public record CheckoutRequest(@NotBlank String plan, @NotBlank String interval) {
    }

    private final BillingService billing;

    public BillingController(BillingService billing) {
        this.billing = billing;
    }

    @PostMapping(path = "/api/subscription/checkout", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> checkout(Caller caller, @Valid @RequestBody CheckoutRequest body) {
        Redirect session = billing.checkout(caller, body.plan(), body.interval());
        return Map.of("checkout_url", session.url(), "session_id", session.id());
    }

    @PostMapping(path = "/api/subscription/portal")
    public Map<String, Object> portal(Caller caller) {
        return Map.of("portal_url", billing.portal(caller).url());
    }
}
