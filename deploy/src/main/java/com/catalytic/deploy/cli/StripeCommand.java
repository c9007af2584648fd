package com.catalytic.deploy.cli;

import com.catalytic.api.plan.Plan;
import com.catalytic.api.plan.PlanCatalogue;
import com.catalytic.infrastructure.config.ConfiguredValues;
import com.stripe.StripeClient;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.StripeException;
import com.stripe.model.Price;
import com.stripe.net.Webhook;
import com.stripe.param.PriceListParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The deployment guide's billing check: the Stripe key works and finds the plans' prices, and the deployed webhook
 * endpoint accepts an event signed with {@code STRIPE_WEBHOOK_SECRET} and refuses one that is not.
 */
@Command(name = "stripe", mixinStandardHelpOptions = true, description = "Stripe tools.",
        subcommands = {StripeCommand.Check.class})
public class StripeCommand {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check the Stripe settings: the secret key and the plans' prices (lookup keys "
                    + "<plan>_<interval>), then the webhook endpoint end to end with a signed test event.")
    public static class Check implements Callable<Integer> {

        @Option(names = "--url", paramLabel = "URL",
                description = "the webhook endpoint (default: BACKEND_URL/webhooks/stripe)")
        String url;

        /** ConfiguredValues by their environment names; a system property of the same name wins (for tests). */
        Function<String, String> settings = name -> System.getProperty(name, System.getenv(name));

        @Override
        public Integer call() {
            boolean ok = checkKey();
            ok &= checkWebhook();
            System.out.println(ok ? "Billing is ready." : "Billing is NOT ready: see the lines above.");
            return ok ? 0 : 1;
        }

        private boolean checkKey() {
            String key = setting("STRIPE_SECRET_KEY");
            if (key == null) {
                System.out.println("STRIPE_SECRET_KEY: not set (checkout and portal answer 503 billing_not_configured)");
                return false;
            }
            StripeClient.StripeClientBuilder builder = StripeClient.builder().setApiKey(key)
                    .setConnectTimeout(5_000).setReadTimeout(20_000);
            if (setting("STRIPE_API_BASE") != null) {
                builder.setApiBase(setting("STRIPE_API_BASE"));
            }
            StripeClient client = builder.build();
            boolean ok = true;
            int found = 0;
            for (Plan plan : PlanCatalogue.defaults().all()) {
                if (plan.priceMonthly() <= 0) {
                    continue;
                }
                for (String interval : List.of("month", "year")) {
                    String lookupKey = plan.name() + "_" + interval;
                    String configured = setting("catalytic.billing.prices." + lookupKey);
                    if (configured != null) {
                        System.out.println("price " + lookupKey + ": " + configured + " (configured)");
                        found++;
                        continue;
                    }
                    try {
                        List<Price> prices = client.v1().prices().list(PriceListParams.builder()
                                .addLookupKey(lookupKey).setActive(true).build()).getData();
                        if (prices == null || prices.isEmpty()) {
                            System.out.println("price " + lookupKey + ": MISSING — create an active price with this "
                                    + "lookup key (checkout of this plan and interval answers 503 until then)");
                        } else {
                            System.out.println("price " + lookupKey + ": " + prices.get(0).getId());
                            found++;
                        }
                    } catch (AuthenticationException e) {
                        System.out.println("STRIPE_SECRET_KEY: refused by Stripe (" + e.getStripeError().getMessage()
                                + ")");
                        return false;
                    } catch (StripeException e) {
                        System.out.println("price " + lookupKey + ": Stripe did not answer (" + e.getMessage() + ")");
                        ok = false;
                    }
                }
            }
            if (found == 0) {
                System.out.println("no price found: nothing can be sold yet");
                ok = false;
            }
            return ok;
        }

        private boolean checkWebhook() {
            String secret = setting("STRIPE_WEBHOOK_SECRET");
            if (secret == null) {
                System.out.println("STRIPE_WEBHOOK_SECRET: not set (webhooks answer 503 billing_not_configured)");
                return false;
            }
            String target = url != null ? url : setting("BACKEND_URL") == null ? null
                    : setting("BACKEND_URL").replaceAll("/+$", "") + "/webhooks/stripe";
            if (target == null) {
                System.out.println("webhook: give --url or set BACKEND_URL");
                return false;
            }
            String payload = "{\"id\":\"evt_catalytic_check_" + UUID.randomUUID().toString().replace("-", "")
                    + "\",\"object\":\"event\",\"type\":\"catalytic.webhook_check\",\"created\":"
                    + System.currentTimeMillis() / 1000 + ",\"livemode\":false,\"data\":{\"object\":{}}}";
            try {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                int signed = post(http, target, payload, Webhook.Signature.generateSignatureHeader(payload, secret));
                int forged = post(http, target, payload,
                        Webhook.Signature.generateSignatureHeader(payload, "whsec_not_the_secret"));
                System.out.println("webhook " + target + ": signed test event → HTTP " + signed
                        + (signed == 200 ? " (accepted)" : " (expected 200: is STRIPE_WEBHOOK_SECRET the same on "
                                + "the nodes?)"));
                System.out.println("webhook " + target + ": wrongly signed event → HTTP " + forged
                        + (forged == 400 ? " (refused)" : " (expected 400)"));
                return signed == 200 && forged == 400;
            } catch (Exception e) {
                System.out.println("webhook " + target + ": not reachable (" + e + ")");
                return false;
            }
        }

        private static int post(HttpClient http, String url, String payload, String signature) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/json").header("Stripe-Signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofString(payload)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        private String setting(String name) {
            String v = settings.apply(name);
            return ConfiguredValues.isSet(v) ? v.trim() : null;
        }
    }
}
