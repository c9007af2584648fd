package com.catalytic.command.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.StripeClient;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A price id found by lookup key is remembered for the configured time, then looked up again. */
class StripeGatewayTest {

    private HttpServer server;
    private final AtomicReference<String> activePrice = new AtomicReference<>("price_a");
    private final AtomicInteger lookups = new AtomicInteger();
    private Instant now = Instant.parse("2026-12-06T00:00:00Z");

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/prices", ex -> {
            lookups.incrementAndGet();
            byte[] body = ("{\"object\":\"list\",\"url\":\"/v1/prices\",\"has_more\":false,\"data\":[{\"id\":\""
                    + activePrice.get() + "\",\"object\":\"price\",\"active\":true,\"lookup_key\":\"starter_month\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private StripeGateway gateway(Duration ttl) {
        StripeClient client = StripeClient.builder().setApiKey("sk_test_gateway")
                .setApiBase("http://127.0.0.1:" + server.getAddress().getPort()).build();
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        return new StripeGateway(client, Map.of(), ttl, clock);
    }

    @Test
    void aFoundPriceIsRememberedForItsTimeThenLookedUpAgain() {
        StripeGateway gateway = gateway(Duration.ofMinutes(10));
        assertThat(gateway.priceFor("starter_month")).isEqualTo("price_a");
        activePrice.set("price_b");
        now = now.plus(Duration.ofMinutes(9));
        assertThat(gateway.priceFor("starter_month")).as("within its time").isEqualTo("price_a");
        assertThat(lookups).hasValue(1);
        now = now.plus(Duration.ofMinutes(1));
        assertThat(gateway.priceFor("starter_month")).as("its time is up").isEqualTo("price_b");
        assertThat(lookups).hasValue(2);
    }

    @Test
    void forgettingMakesTheNextCheckoutLookItUp() {
        StripeGateway gateway = gateway(Duration.ofHours(1));
        assertThat(gateway.priceFor("starter_month")).isEqualTo("price_a");
        activePrice.set("price_b");
        gateway.forgetFoundPrices();
        assertThat(gateway.priceFor("starter_month")).isEqualTo("price_b");
        assertThat(lookups).hasValue(2);
    }

    @Test
    void aConfiguredPriceIsNeverLookedUp() {
        StripeClient client = StripeClient.builder().setApiKey("sk_test_gateway")
                .setApiBase("http://127.0.0.1:" + server.getAddress().getPort()).build();
        StripeGateway gateway = new StripeGateway(client, Map.of("starter_month", "price_configured"),
                Duration.ofMinutes(10), Clock.systemUTC());
        assertThat(gateway.priceFor("starter_month")).isEqualTo("price_configured");
        assertThat(lookups).hasValue(0);
    }
}
