package com.catalytic.command.billing;

import com.catalytic.api.billing.SubscriptionCommands.CompleteCheckoutCommand;
import com.catalytic.api.billing.SubscriptionCommands.InvoiceFacts;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentActionRequiredCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentFailedCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordPaymentSucceededCommand;
import com.catalytic.api.billing.SubscriptionCommands.RecordTrialEndingCommand;
import com.catalytic.api.billing.SubscriptionCommands.StripeEventRef;
import com.catalytic.api.billing.SubscriptionCommands.SyncSubscriptionCommand;
import com.catalytic.api.billing.SubscriptionCommands;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a Stripe event (its JSON, as delivered) into the subscription command it means. Only the fields this
 * service needs are read, from the places the API versions in use put them (e.g. an invoice's subscription is
 * {@code subscription} in older versions and {@code parent.subscription_details.subscription} in newer ones), so a
 * change of the account's API version does not break webhooks. The tenant is the one the server put in the
 * metadata, or else the tenant a Stripe customer on record was linked to. Never {@code client_reference_id}: a
 * Payment Link takes it from its URL, so whoever opens the link chooses it.
 */
final class StripeEvents {

    /** The event types acted upon; every other type is acknowledged and ignored. */
    public static final Set<String> HANDLED = Set.of("checkout.session.completed", "customer.subscription.created",
            "customer.subscription.updated", "customer.subscription.deleted", "customer.subscription.trial_will_end",
            "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed", "invoice.payment_action_required");

    /** What an event means: a command for a tenant's subscription, or why it is ignored. */
    public record Translation(String tenantId, Object command, String ignoredBecause) {
        static Translation ignored(String why) {
            return new Translation(null, null, why);
        }
    }

    private final Function<String, String> tenantOfCustomer;
    private final Map<String, String> lookupKeyOfPrice;

    /**
     * @param tenantOfCustomer the tenant a Stripe customer id was linked to, or null
     * @param lookupKeyOfPrice configured price ids and the lookup key each stands for
     */
    public StripeEvents(Function<String, String> tenantOfCustomer, Map<String, String> lookupKeyOfPrice) {
        this.tenantOfCustomer = tenantOfCustomer;
        this.lookupKeyOfPrice = Map.copyOf(lookupKeyOfPrice);
    }

    public Translation translate(JsonNode event) {
        String type = event.path("type").asText("");
        if (!HANDLED.contains(type)) {
            return Translation.ignored("event type not handled");
        }
        JsonNode o = event.path("data").path("object");
        StripeEventRef ref = new StripeEventRef(event.path("id").asText(), type,
                Instant.ofEpochSecond(event.path("created").asLong()));
        String tenantId = tenantOf(o).orElse(null);
        if (tenantId == null) {
            return Translation.ignored("no tenant: neither metadata.tenant_id nor a known customer");
        }
        String subscriptionId = SubscriptionCommands.subscriptionIdFor(tenantId);
        Object command = switch (type) {
            case "checkout.session.completed" -> {
                if (!"subscription".equals(text(o, "mode")) || text(o, "customer") == null) {
                    yield null;
                }
                yield new CompleteCheckoutCommand(subscriptionId, tenantId, ref, text(o, "id"), text(o, "customer"),
                        text(o, "subscription"));
            }
            case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted" -> {
                JsonNode item = o.path("items").path("data").path(0);
                String[] planAndInterval = planAndInterval(o, item);
                String status = "customer.subscription.deleted".equals(type) ? "canceled" : text(o, "status");
                yield new SyncSubscriptionCommand(subscriptionId, tenantId, ref, text(o, "customer"), text(o, "id"),
                        planAndInterval[0], planAndInterval[1], status,
                        time(o, "current_period_start").or(() -> time(item, "current_period_start")).orElse(null),
                        time(o, "current_period_end").or(() -> time(item, "current_period_end")).orElse(null),
                        time(o, "trial_end").orElse(null), o.path("cancel_at_period_end").asBoolean(false));
            }
            case "customer.subscription.trial_will_end" ->
                    new RecordTrialEndingCommand(subscriptionId, tenantId, ref, text(o, "customer"), text(o, "id"),
                            time(o, "trial_end").orElse(null));
            case "invoice.paid", "invoice.payment_succeeded" ->
                    new RecordPaymentSucceededCommand(subscriptionId, tenantId, ref, invoice(o, "amount_paid"));
            case "invoice.payment_failed" ->
                    new RecordPaymentFailedCommand(subscriptionId, tenantId, ref, invoice(o, "amount_due"));
            case "invoice.payment_action_required" ->
                    new RecordPaymentActionRequiredCommand(subscriptionId, tenantId, ref, invoice(o, "amount_due"));
            default -> null;
        };
        if (command == null) {
            return Translation.ignored("not a subscription checkout");
        }
        if (command instanceof SyncSubscriptionCommand s && (s.stripeSubscriptionId() == null || s.status() == null)) {
            return Translation.ignored("subscription without id or status");
        }
        if (invoiceOf(command) != null && invoiceOf(command).invoiceId() == null) {
            return Translation.ignored("invoice without id");
        }
        if (ref.id().isBlank()) {
            return Translation.ignored("event without id");
        }
        return new Translation(tenantId, command, null);
    }

    private static InvoiceFacts invoiceOf(Object command) {
        if (command instanceof RecordPaymentSucceededCommand c) return c.invoice();
        if (command instanceof RecordPaymentFailedCommand c) return c.invoice();
        if (command instanceof RecordPaymentActionRequiredCommand c) return c.invoice();
        return null;
    }

    private Optional<String> tenantOf(JsonNode o) {
        for (JsonNode metadata : new JsonNode[] {o.path("metadata"),
                o.path("subscription_details").path("metadata"),
                o.path("parent").path("subscription_details").path("metadata"),
                o.path("subscription_data").path("metadata")}) {
            String t = text(metadata, "tenant_id");
            if (t != null) {
                return Optional.of(t);
            }
        }
        String customer = text(o, "customer");
        return customer == null ? Optional.empty() : Optional.ofNullable(tenantOfCustomer.apply(customer));
    }

    /** From the price's lookup key ({@code <plan>_<interval>}), a configured price id, or the server's metadata. */
    private String[] planAndInterval(JsonNode subscription, JsonNode item) {
        JsonNode price = item.path("price");
        String key = text(price, "lookup_key");
        if (key == null && text(price, "id") != null) {
            key = lookupKeyOfPrice.get(text(price, "id"));
        }
        String interval = text(price.path("recurring"), "interval");
        if (key != null) {
            int cut = key.lastIndexOf('_');
            if (cut > 0 && BillingService.INTERVALS.contains(key.substring(cut + 1))) {
                return new String[] {key.substring(0, cut), key.substring(cut + 1)};
            }
        }
        JsonNode metadata = subscription.path("metadata");
        String metaInterval = text(metadata, "interval");
        return new String[] {text(metadata, "plan"), interval != null ? interval : metaInterval};
    }

    private static InvoiceFacts invoice(JsonNode o, String amountField) {
        String subscription = text(o, "subscription");
        if (subscription == null) {
            subscription = text(o.path("parent").path("subscription_details"), "subscription");
        }
        return new InvoiceFacts(text(o, "id"), text(o, "customer"), subscription, o.path(amountField).asLong(0),
                text(o, "currency"), o.path("attempt_count").asInt(0), time(o, "next_payment_attempt").orElse(null),
                text(o, "hosted_invoice_url"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isObject()) {
            v = v.path("id"); // an expanded object: its id
        }
        return v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }

    private static Optional<Instant> time(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isNumber() ? Optional.of(Instant.ofEpochSecond(v.asLong())) : Optional.empty();
    }
}
