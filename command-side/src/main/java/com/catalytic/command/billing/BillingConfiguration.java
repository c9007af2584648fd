package com.catalytic.command.billing;

import com.catalytic.infrastructure.config.ConfiguredValues;
import com.stripe.StripeClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * Billing is on when Stripe is configured: {@code STRIPE_SECRET_KEY} for checkout and the portal,
 * {@code STRIPE_WEBHOOK_SECRET} for webhooks (the example file's placeholders count as unset). Without them the
 * billing endpoints answer 503 {@code billing_not_configured}. {@code STRIPE_API_BASE} points stripe-java
 * elsewhere (tests use a local fake); {@code catalytic.billing.prices.<plan>_<interval>} names a price id instead
 * of looking it up by its lookup key.
 */
@Configuration
class BillingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(BillingConfiguration.class);
    private static final String PRICES = "catalytic.billing.prices.";

    /**
     * The settings the billing code reads; null members mean "not configured". {@code prices}: the price ids
     * configured by lookup key ({@code catalytic.billing.prices.<plan>_<interval>}).
     */
    public record BillingSettings(StripeGateway stripe, String webhookSecret, long webhookToleranceSeconds,
                                  String frontendUrl, Map<String, String> prices) {
    }

    @Bean
    DunningPolicy dunningPolicy(@Value("${catalytic.billing.suspend-after-failed-payments:3}") int failures) {
        return new DunningPolicy(failures);
    }

    @Bean
    BillingSettings billingSettings(@Value("${STRIPE_SECRET_KEY:}") String secretKey,
                                    @Value("${STRIPE_WEBHOOK_SECRET:}") String webhookSecret,
                                    @Value("${STRIPE_API_BASE:}") String apiBase,
                                    @Value("${catalytic.billing.webhook-tolerance-seconds:300}") long tolerance,
                                    @Value("${FRONTEND_URL:http://localhost:8000}") String frontendUrl,
                                    @Value("${catalytic.billing.price-cache-ttl:10m}") Duration priceTtl,
                                    Clock clock, ConfigurableEnvironment env) {
        Map<String, String> prices = configuredPrices(env);
        StripeGateway gateway = null;
        if (ConfiguredValues.isSet(secretKey)) {
            StripeClient.StripeClientBuilder builder = StripeClient.builder().setApiKey(secretKey.trim())
                    .setConnectTimeout(5_000).setReadTimeout(20_000).setMaxNetworkRetries(2);
            if (!apiBase.isBlank()) {
                builder.setApiBase(apiBase.trim().replaceAll("/+$", ""));
            }
            gateway = new StripeGateway(builder.build(), prices, priceTtl, clock);
        }
        String secret = ConfiguredValues.isSet(webhookSecret) ? webhookSecret.trim() : null;
        log.info("Billing: checkout and portal {}, webhooks {}", gateway != null ? "on" : "off (no STRIPE_SECRET_KEY)",
                secret != null ? "on" : "off (no STRIPE_WEBHOOK_SECRET)");
        return new BillingSettings(gateway, secret, tolerance, frontendUrl.replaceAll("/+$", ""), Map.copyOf(prices));
    }

    private static Map<String, String> configuredPrices(ConfigurableEnvironment env) {
        Map<String, String> prices = new HashMap<>();
        env.getPropertySources().forEach(source -> {
            if (source instanceof EnumerablePropertySource<?> e) {
                for (String name : e.getPropertyNames()) {
                    if (name.startsWith(PRICES)) {
                        prices.putIfAbsent(name.substring(PRICES.length()), env.getProperty(name));
                    }
                }
            }
        });
        return prices;
    }
}
