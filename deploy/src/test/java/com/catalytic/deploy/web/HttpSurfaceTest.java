package com.catalytic.deploy.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** OpenAPI, CORS and security headers as a browser or an API client sees them. */
class HttpSurfaceTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of("CORS_ALLOWED_ORIGINS", "https://app.example.com"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void withoutStripeSettingsBillingAnswers503AndTheSubscriptionIsNone() {
        Accounts.Account owner =
                Accounts.registerAndLogin(http, "nobilling");
        String[] auth = Http.bearer(owner.accessToken());
        Response checkout = http.post("/api/subscription/checkout", Map.of("plan", "starter", "interval", "month"),
                auth);
        assertThat(checkout.status()).isEqualTo(503);
        assertThat(checkout.text("code")).isEqualTo("billing_not_configured");
        assertThat(http.post("/api/subscription/portal", Map.of(), auth).text("code"))
                .isEqualTo("billing_not_configured");
        Response webhook = http.postRaw("/webhooks/stripe", "{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}",
                "application/json", "Stripe-Signature", "t=1,v1=00");
        assertThat(webhook.status()).isEqualTo(503);
        assertThat(webhook.text("code")).isEqualTo("billing_not_configured");
        Response subscription = http.get("/api/subscription", auth);
        assertThat(subscription.status()).isEqualTo(200);
        assertThat(subscription.text("status")).isEqualTo("none");
        assertThat(subscription.text("plan")).isEqualTo("free");
        assertThat(http.get("/openapi.json").json().path("paths").has("/api/subscription/checkout")).isTrue();
    }

    @Test
    void openApiDocumentAndUiAreServed() throws IOException {
        Response doc = http.get("/openapi.json");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.json().path("paths").has("/auth/register")).isTrue();
        assertThat(doc.json().path("paths").has("/api/me")).isTrue();
        assertThat(doc.json().path("info").path("version").asText()).as("the API version the README's policy names")
                .isEqualTo("1.0.0");
        assertThat(doc.json().path("info").path("title").asText()).isEqualTo("Catalytic Computing API");
        doc.json().path("paths").forEach(item -> item.forEach(op -> {
            assertThat(op.path("summary").asText()).as("every operation has a summary").isNotBlank();
            op.path("parameters").forEach(p -> assertThat(p.path("name").asText())
                    .as("the caller comes from the credential, never from a parameter").isNotEqualTo("caller"));
        }));
        assertThat(doc.json().path("paths").path("/api/users").path("get").path("security").isMissingNode())
                .as("secured by the document's bearer or API key").isTrue();
        assertThat(doc.json().path("paths").path("/auth/login").path("post").path("security").isEmpty())
                .as("public").isTrue();
        assertThat(doc.json().path("components").path("securitySchemes").has("apiKey")).isTrue();
        // saved for the Redocly lint that .ci/run runs after the tests, and equal to docs/openapi.json, from which
        // the build generates the client GeneratedClientTest drives
        JsonNode served = doc.json();
        Files.writeString(Path.of("target", "openapi.json"),
                Http.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(served) + "\n");
        assertThat(Http.JSON.readTree(Path.of("..", "docs", "openapi.json").toFile()))
                .as("docs/openapi.json is the served document: copy deploy/target/openapi.json over it")
                .isEqualTo(served);
    }

    /**
     * Every JSON request body and every 2xx JSON answer has an example, and each example fits its schema (the
     * properties it names, their types, the required ones), so the examples cannot drift from the API unnoticed.
     */
    @Test
    void everyBodyHasAnExampleThatFitsItsSchema() throws IOException {
        JsonNode doc = http.get("/openapi.json").json();
        List<String> problems = new ArrayList<>();
        Set<String> operations = new TreeSet<>();
        int checked = 0;
        for (var path : iterable(doc.path("paths").fields())) {
            for (var op : iterable(path.getValue().fields())) {
                String name = op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                operations.add(name);
                JsonNode request = op.getValue().path("requestBody").path("content").path("application/json");
                if (!request.isMissingNode()) {
                    checked += check(name + " request", request, doc, problems);
                }
                for (var response : iterable(op.getValue().path("responses").fields())) {
                    JsonNode body = response.getValue().path("content").path("application/json");
                    if (response.getKey().startsWith("2") && !body.isMissingNode()) {
                        checked += check(name + " " + response.getKey(), body, doc, problems);
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(checked).as("examples checked").isGreaterThan(50);
        try (var in = getClass().getClassLoader().getResourceAsStream(ApiDocsConfiguration.EXAMPLES)) {
            assertThat(in).isNotNull();
            Set<String> named = new TreeSet<>();
            Http.JSON.readTree(in).fieldNames().forEachRemaining(named::add);
            assertThat(operations).as("every example names an operation of the document").containsAll(named);
        }
    }

    private static int check(String where, JsonNode media, JsonNode doc, List<String> problems) {
        if (!media.has("example")) {
            problems.add(where + ": no example");
            return 0;
        }
        fits(media.get("example"), media.path("schema"), doc, where, problems);
        return 1;
    }

    /** Whether {@code value} fits {@code schema} in what a client relies on: names, types, required properties. */
    private static void fits(JsonNode value, JsonNode declared, JsonNode doc, String where, List<String> problems) {
        JsonNode schema = declared;
        while (schema.has("$ref")) {
            schema = doc.at(schema.get("$ref").asText().substring(1));
        }
        JsonNode resolved = schema;
        if (value.isNull() || schema.has("oneOf") || schema.has("anyOf") || schema.has("allOf")) {
            return;
        }
        Set<String> types = new TreeSet<>();
        if (schema.path("type").isArray()) {
            schema.path("type").forEach(t -> types.add(t.asText()));
        } else if (schema.has("type")) {
            types.add(schema.path("type").asText());
        }
        boolean fits = types.isEmpty()
                || types.contains("object") && value.isObject()
                || types.contains("array") && value.isArray()
                || types.contains("string") && value.isTextual()
                || types.contains("integer") && value.isIntegralNumber()
                || types.contains("number") && value.isNumber()
                || types.contains("boolean") && value.isBoolean();
        if (!fits) {
            problems.add(where + ": " + value + " is not " + types);
            return;
        }
        if (value.isArray()) {
            value.forEach(item -> fits(item, resolved.path("items"), doc, where + "[]", problems));
        } else if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            schema.path("required").forEach(r -> {
                if (!value.has(r.asText())) {
                    problems.add(where + ": required " + r.asText() + " missing");
                }
            });
            for (var field : iterable(value.fields())) {
                if (properties.has(field.getKey())) {
                    fits(field.getValue(), properties.get(field.getKey()), doc, where + "." + field.getKey(), problems);
                } else if (additional.isObject()) {
                    fits(field.getValue(), additional, doc, where + "." + field.getKey(), problems);
                } else if (!properties.isMissingNode() && !additional.asBoolean(false)) {
                    problems.add(where + ": " + field.getKey() + " is not a property of its schema");
                }
            }
        }
    }

    private static <T> Iterable<T> iterable(Iterator<T> it) {
        return () -> it;
    }

    @Test
    void noTwoRequestBodiesShareAName() {
        // the document names a body's schema by its simple class name: two records of one name would become one
        // schema, and a client built from it would send one of them the other's fields
        Map<String, Set<String>> byName = new TreeMap<>();
        for (RequestMappingHandlerMapping mapping : app.beans(RequestMappingHandlerMapping.class).values()) {
            mapping.getHandlerMethods().values().forEach(handler -> {
                for (MethodParameter p : handler.getMethodParameters()) {
                    if (p.hasParameterAnnotation(RequestBody.class)) {
                        byName.computeIfAbsent(p.getParameterType().getSimpleName(), k -> new TreeSet<>())
                                .add(p.getParameterType().getName());
                    }
                }
            });
        }
        assertThat(byName).isNotEmpty();
        assertThat(byName.values()).allSatisfy(classes -> assertThat(classes).as("one name, one class").hasSize(1));
        assertThat(http.get("/docs").status()).isBetween(200, 399);
    }

    @Test
    void corsAllowsOnlyConfiguredOrigins() {
        Response allowed = http.method("OPTIONS", "/auth/login", null, "Origin", "https://app.example.com",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type");
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
        Response denied = http.method("OPTIONS", "/auth/login", null, "Origin", "https://evil.example.net",
                "Access-Control-Request-Method", "POST");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void securityHeadersOnEveryResponse() {
        Response r = http.get("/api/me");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.header("Strict-Transport-Security")).as("HSTS only in production").isNull();
    }
}
