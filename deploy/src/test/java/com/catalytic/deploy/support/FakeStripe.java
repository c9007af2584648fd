package com.catalytic.deploy.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the parts of Stripe's API this service calls (prices by lookup key, Checkout Sessions,
 * Billing Portal sessions), answering like Stripe does: form-encoded requests, JSON objects, Stripe's error shape.
 * Point stripe-java at it with {@code STRIPE_API_BASE}. Every request is kept for assertions.
 */
public final class FakeStripe implements AutoCloseable {

    public static final String SECRET_KEY = "sk_test_fake_0123456789";

    /** One request received: method, path, decoded form (or query) parameters and the Authorization header. */
    public record Request(String method, String path, Map<String, String> params, String authorization,
                          String idempotencyKey) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    /** Answers by idempotency key, as Stripe keeps them: the same key gets the same answer. */
    private final Map<String, String> idempotent = new ConcurrentHashMap<>();
    private volatile int failWith;
    /** Price ids answered for lookup keys instead of {@code price_<lookup key>}: a price replaced in the dashboard. */
    private final Map<String, String> priceIds = new ConcurrentHashMap<>();

    public FakeStripe() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String apiBase() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The settings that point the application's Stripe client at this fake and sign webhooks with the test secret. */
    public Map<String, String> appSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("STRIPE_SECRET_KEY", SECRET_KEY);
        settings.put("STRIPE_API_BASE", apiBase());
        settings.put("STRIPE_WEBHOOK_SECRET", StripePayloads.WEBHOOK_SECRET);
        return settings;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    /** From now on, the active price with this lookup key is {@code priceId}. */
    public void replacePrice(String lookupKey, String priceId) {
        priceIds.put(lookupKey, priceId);
    }

    /** The next requests are refused with this HTTP status (0: answered normally again). */
    public void failWith(int status) {
        this.failWith = status;
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String raw = "GET".equals(method) ? ex.getRequestURI().getRawQuery()
                : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> params = form(raw);
        requests.add(new Request(method, path, params, ex.getRequestHeaders().getFirst("Authorization"),
                ex.getRequestHeaders().getFirst("Idempotency-Key")));
        if (!("Bearer " + SECRET_KEY).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            error(ex, 401, "invalid_request_error", "Invalid API Key provided");
            return;
        }
        if (failWith != 0) {
            error(ex, failWith, "api_error", "Something went wrong on Stripe's end.");
            return;
        }
        int n = ids.incrementAndGet();
        switch (method + " " + path) {
            case "GET /v1/prices" -> {
                String key = params.getOrDefault("lookup_keys[0]", params.get("lookup_keys[]"));
                String data = key == null || key.startsWith("free_") ? "" : "{\"id\":\""
                        + priceIds.getOrDefault(key, "price_" + key)
                        + "\",\"object\":\"price\",\"active\":true,\"lookup_key\":\"" + key + "\"}";
                json(ex, 200, "{\"object\":\"list\",\"url\":\"/v1/prices\",\"has_more\":false,\"data\":[" + data + "]}");
            }
            case "POST /v1/checkout/sessions" -> {
                String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
                String answer = "{\"id\":\"cs_test_" + n + "\",\"object\":\"checkout.session\",\"mode\":"
                        + "\"subscription\",\"url\":\"https://checkout.stripe.test/c/pay/cs_test_" + n + "\"}";
                json(ex, 200, key == null ? answer : idempotent.computeIfAbsent(key, k -> answer));
            }
            case "POST /v1/billing_portal/sessions" -> json(ex, 200, "{\"id\":\"bps_" + n
                    + "\",\"object\":\"billing_portal.session\",\"customer\":\"" + params.get("customer")
                    + "\",\"url\":\"https://billing.stripe.test/p/session/bps_" + n + "\"}");
            default -> error(ex, 404, "invalid_request_error", "Unrecognized request URL (" + method + ": " + path + ")");
        }
    }

    private static Map<String, String> form(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        json(ex, status, "{\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"}}");
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.getResponseHeaders().add("Request-Id", "req_fake");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
