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
