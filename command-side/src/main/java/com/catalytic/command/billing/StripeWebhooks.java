package com.catalytic.command.billing;

import com.catalytic.api.billing.SubscriptionCommands.BillingStatus;
import com.catalytic.api.billing.SubscriptionCommands.ReadBillingStatusCommand;
import com.catalytic.api.billing.SubscriptionCommands;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.tenant.TenantCommands.ApplyBillingStatusCommand;
import com.catalytic.command.billing.BillingConfiguration.BillingSettings;
import com.catalytic.command.billing.StripeEvents.Translation;
import com.catalytic.command.uniqueness.JdbcUniqueKeyRegistry.ClaimRaceException;
import com.catalytic.command.uniqueness.UniqueKeyRegistry.Scope;
import com.catalytic.command.uniqueness.UniqueKeyRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Receives Stripe's webhook events. The {@code Stripe-Signature} header is checked over the raw body (HMAC-SHA256
 * with {@code STRIPE_WEBHOOK_SECRET}, timestamps older than the tolerance refused) before anything else is read.
 * Each event id is recorded in {@code stripe_events}: a redelivery of a processed event changes nothing. An event
 * is processed by sending its subscription command, then bringing the tenant to the {@link BillingStatus} the
 * subscription answers (plan, suspension for non-payment); every step is idempotent, so an event whose processing
 * failed half-way is simply processed again when Stripe redelivers it. An event the subscription rejects (its
 * customer is not the tenant's) is recorded there, leaves the tenant as it is, and is answered 200 like any other
 * outcome, so that Stripe does not send it again. Copies of one event processed at the same time (Stripe retrying
 * a slow answer, possibly on another node) are applied once by the subscription; a copy that loses the race to
 * store first is processed again at once, and then finds the event applied.
 */
@Service
class StripeWebhooks {

    private static final Logger log = LoggerFactory.getLogger(StripeWebhooks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often, in all, a delivery that keeps losing races to concurrent ones is processed before answering 503. */
    private static final int RACE_ATTEMPTS = 5;
    private static final int MAX_CONVERGENCE_ROUNDS = 5;

    /** What became of a delivery. */
    public record Receipt(String eventId, String type, boolean duplicate, String outcome) {
    }

    private final BillingSettings settings;
    private final CommandGateway commands;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final StripeEvents events;
    private final MeterRegistry meters;
    private final AtomicLong lastRefusalWarning = new AtomicLong(
            Long.MIN_VALUE / 2);
    private final AtomicLong refusedSinceWarning = new AtomicLong();

    public StripeWebhooks(BillingSettings settings, CommandGateway commands, JdbcTemplate jdbc, Clock clock,
                          UniqueKeyRegistry registry, MeterRegistry meters) {
        this.meters = meters;
        this.settings = settings;
        this.commands = commands;
        this.jdbc = jdbc;
        this.clock = clock;
        this.events = new StripeEvents(customer -> registry.ownerOf(Scope.STRIPE_CUSTOMER, customer),
                lookupKeysByPrice(settings.prices()));
    }

    public Receipt receive(byte[] body, String signatureHeader) {
        if (settings.webhookSecret() == null) {
            throw new DomainException(DomainException.Kind.UNAVAILABLE, "billing_not_configured",
                    "Stripe webhooks are not configured on this installation (STRIPE_WEBHOOK_SECRET)");
        }
        if (signatureHeader == null || signatureHeader.isBlank()) {
            throw new DomainException(DomainException.Kind.BAD_REQUEST, "invalid_signature",
                    "the Stripe-Signature header is missing");
        }
        String payload = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        try {
            Webhook.Signature.verifyHeader(payload, signatureHeader, settings.webhookSecret(),
                    settings.webhookToleranceSeconds(), clock);
        } catch (SignatureVerificationException e) {
            count("invalid_signature");
            warnRefused(e.getMessage());
            throw new DomainException(DomainException.Kind.BAD_REQUEST, "invalid_signature",
                    "the Stripe-Signature header does not verify: " + e.getMessage());
        }
        JsonNode event;
        try {
            event = JSON.readTree(payload);
        } catch (IOException e) {
            event = null;
        }
        if (event == null || !event.path("id").isTextual() || !event.path("type").isTextual()
                || event.path("id").asText().isBlank() || event.path("id").asText().length() > 255
                || event.path("type").asText().length() > 255) {
            throw new DomainException(DomainException.Kind.BAD_REQUEST, "invalid_payload",
                    "the body is not a Stripe event (an object with id and type)");
        }
        String id = event.path("id").asText();
        String type = event.path("type").asText();
        if (!record(id, type, event.path("created").asLong(0))) {
            count("duplicate");
            return new Receipt(id, type, true, "duplicate");
        }
        String outcome = process(id, event);
        count(outcome.substring(0, outcome.indexOf(':')));
        log.info("Stripe event {} ({}): {}", id, type, outcome);
        return new Receipt(id, type, false, outcome);
    }

    /** Records the delivery; false when the event was processed before (a redelivery: nothing to do). */
    private boolean record(String id, String type, long created) {
        Timestamp now = Timestamp.from(clock.instant());
        // ON CONFLICT: a redelivery is an expected outcome, not an error in the database's log (no conflict target:
        // the id is the only unique key, and the embedded H2 knows only this form)
        if (jdbc.update("INSERT INTO stripe_events (id, type, created_at, received_at, attempts) VALUES (?, ?, ?, ?, 1) "
                + "ON CONFLICT DO NOTHING", id, type, Timestamp.from(Instant.ofEpochSecond(created)), now) == 1) {
            return true;
        }
        List<Timestamp> processed = jdbc.queryForList("SELECT processed_at FROM stripe_events WHERE id = ?",
                Timestamp.class, id);
        if (!processed.isEmpty() && processed.get(0) != null) {
            return false;
        }
        jdbc.update("UPDATE stripe_events SET attempts = attempts + 1 WHERE id = ?", id);
        return true;
    }

    private String process(String id, JsonNode event) {
        if (event.path("type").asText().startsWith("price.")) {
            // a price created, changed or archived: the ids found by lookup key are looked up again
            if (settings.stripe() != null) {
                settings.stripe().forgetFoundPrices();
            }
            return finish(id, null, "applied: prices found by lookup key are looked up again");
        }
        Translation t = events.translate(event);
        if (t.command() == null) {
            return finish(id, null, "ignored: " + t.ignoredBecause());
        }
        if (!tenantExists(t.tenantId())) {
            return finish(id, null, "ignored: tenant " + t.tenantId() + " does not exist");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                BillingStatus status = commands.sendAndWait(t.command());
                if (status.rejectedBecause() != null) {
                    return finish(id, t.tenantId(), "rejected: " + status.rejectedBecause());
                }
                status = bringTenantTo(t.tenantId(), status);
                return finish(id, t.tenantId(), "applied: plan " + status.plan()
                        + (status.suspendedForNonPayment() ? ", suspended for non-payment" : ""));
            } catch (DomainException refused) {
                // the event cannot be applied as it stands: a retry would not help
                return finish(id, t.tenantId(), "refused: " + refused.code() + ": " + refused.getMessage());
            } catch (RuntimeException e) {
                if (attempt < RACE_ATTEMPTS && lostRace(e)) {
                    log.debug("Stripe event {}: a concurrent delivery stored first; processing it again", id);
                    continue;
                }
                return failed(id, e);
            }
        }
    }

    /** Another delivery (of this or another event, on any node) stored its changes to the aggregate first. */
    private static boolean lostRace(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConcurrencyException || c instanceof AggregateStreamCreationException
                    || c instanceof ClaimRaceException) {
                return true;
            }
        }
        return false;
    }

    private String failed(String id, RuntimeException e) {
        jdbc.update("UPDATE stripe_events SET last_error = ? WHERE id = ?", truncate(e.toString()), id);
        count("failed");
        log.warn("Stripe event {} could not be processed; Stripe will deliver it again", id, e);
        throw new DomainException(DomainException.Kind.UNAVAILABLE, "webhook_processing_failed",
                "the event could not be processed now; it will be processed when Stripe delivers it again");
    }

    /**
     * One warning a minute at most for refused deliveries (with how many there were), so that a flood of forged
     * requests cannot fill the log; the counter has them all.
     */
    private void warnRefused(String why) {
        long now = clock.millis();
        long last = lastRefusalWarning.get();
        long refused = refusedSinceWarning.incrementAndGet();
        if (now - last >= 60_000 && lastRefusalWarning.compareAndSet(last, now)) {
            refusedSinceWarning.addAndGet(-refused);
            log.warn("Stripe webhook refused: {} ({} refused since the last warning; is STRIPE_WEBHOOK_SECRET the "
                    + "endpoint's signing secret?)", why, refused);
        }
    }

    /**
     * {@code catalytic.stripe.webhooks{outcome=…}}: applied, rejected, ignored, refused, duplicate, failed or
     * invalid_signature.
     */
    private void count(String outcome) {
        meters.counter("catalytic.stripe.webhooks", "outcome", outcome).increment();
    }

    /**
     * The tenant follows its subscription: the plan it pays for, suspended while invoices stay unpaid. Deliveries
     * racing each other may bring the tenant to a status the subscription has already left, so each one reads the
     * subscription's status after applying its own and applies again until the two agree: the last one to apply
     * always leaves the tenant at the subscription's latest status.
     */
    private BillingStatus bringTenantTo(String tenantId, BillingStatus status) {
        BillingStatus applied = status;
        for (int round = 0; round < MAX_CONVERGENCE_ROUNDS; round++) {
            commands.sendAndWait(new ApplyBillingStatusCommand(tenantId, applied.plan(),
                    applied.suspendedForNonPayment(), applied.failedPayments(), Actor.system()));
            BillingStatus latest = commands.sendAndWait(
                    new ReadBillingStatusCommand(SubscriptionCommands.subscriptionIdFor(tenantId)));
            if (sameForTenant(latest, applied)) {
                return applied;
            }
            applied = latest;
        }
        return applied;
    }

    private static boolean sameForTenant(BillingStatus a, BillingStatus b) {
        return a.plan().equals(b.plan()) && a.suspendedForNonPayment() == b.suspendedForNonPayment();
    }

    private boolean tenantExists(String tenantId) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND sequence_number = 0 AND type = 'tenant'", Integer.class, tenantId);
        return n != null && n > 0;
    }

    private String finish(String id, String tenantId, String outcome) {
        jdbc.update("UPDATE stripe_events SET processed_at = ?, tenant_id = ?, outcome = ?, last_error = NULL "
                + "WHERE id = ?", Timestamp.from(clock.instant()), tenantId, truncate(outcome), id);
        return outcome;
    }

    private static String truncate(String s) {
        return s.length() <= 1000 ? s : s.substring(0, 1000);
    }

    /** A configured price id stands for its lookup key when Stripe reports the price without one. */
    private static Map<String, String> lookupKeysByPrice(Map<String, String> pricesByLookupKey) {
        Map<String, String> byPrice = new HashMap<>();
        pricesByLookupKey.forEach((lookupKey, price) -> byPrice.put(price.trim(), lookupKey));
        return byPrice;
    }
}
