package com.catalytic.deploy.web;

import com.catalytic.api.identity.Caller;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.NumberSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.providers.ObjectMapperProvider;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

/**
 * What {@code /openapi.json} says beyond what the controllers declare: the API's name and version (README, "API
 * versioning"), how callers authenticate (a bearer access token or an {@code X-API-Key}; which operations are
 * public), a summary and a capability tag per operation, examples of its bodies, and the problem+json answer every
 * operation may give.
 */
@Configuration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET) // operator commands serve no document
class ApiDocsConfiguration {

    static {
        // the caller is resolved from the credential, not sent as a parameter
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
        // exact counts (a lattice's vertices and edges) may exceed any fixed-width integer: a number of any size
        SpringDocUtils.getConfig().replaceWithSchema(BigInteger.class, new NumberSchema()
                .description("an exact whole number, of any size"));
    }

    /** The version of the HTTP API and webhook payloads: changes within it are additive only. */
    static final String API_VERSION = "1.0.0";
    static final String BEARER = "bearer";
    static final String API_KEY = "apiKey";
    static final String PROBLEM = "Problem";

    /** Operations anyone may call. */
    static final Set<String> PUBLIC = Set.of("POST /auth/register", "POST /auth/login", "POST /auth/refresh",
            "POST /auth/password-reset", "POST /auth/password-reset/confirm", "POST /auth/invitations/accept",
            "GET /health", "GET /api/plans", "GET /.well-known/jwks.json", "POST /webhooks/stripe");

    /** Examples of the operations' request and response bodies, taken from real exchanges with the service. */
    static final String EXAMPLES = "openapi/examples.json";

    /** Bodies read as raw bytes (a signature covers them exactly), documented as what they hold. */
    static final Map<String, ObjectSchema> RAW_BODIES = Map.of("POST /webhooks/stripe", (ObjectSchema) new ObjectSchema()
            .description("A Stripe event (https://docs.stripe.com/api/events/object) exactly as Stripe sends it: "
                    + "verified byte for byte against the Stripe-Signature header"));

    /** A summary per operation ("METHOD path"). */
    static final Map<String, String> SUMMARIES = summaries();

    static final Map<String, String> TAG_DESCRIPTIONS = Map.of(
            "Authentication", "Sign-up, login, token refresh and logout, password resets, the public keys",
            "Account", "The caller and its tenant",
            "Team", "The tenant's users, their roles, invitations",
            "API keys", "Keys for programs, with scopes, expiry, rotation and revocation",
            "Billing", "Plans, the subscription through Stripe, Stripe's events",
            "Lattices", "The metered compute product: lattices and computations on them",
            "Usage", "Metered calls, reports and quota",
            "Audit", "The hash-chained audit trail, its export, verification, checkpoints, and event history",
            "Webhooks", "Signed event notifications to the tenant's URLs, their deliveries",
            "Operations", "Health of the service");

    /** The capability of each path prefix, the first that matches. */
    static final Map<String, String> TAGS = tags();

    @Bean
    OpenAPI catalyticApi() {
        return new OpenAPI().info(new Info()
                        .title("Catalytic Computing API")
                        .version(API_VERSION)
                        .description("Tenants, users, API keys, plans and billing, metered lattice computations, "
                                + "usage, audit trail and webhooks. Version 1: changes are additive only; removals "
                                + "are announced with Deprecation and Sunset headers at least six months ahead. "
                                + "Errors are RFC 9457 problems (application/problem+json) named by their code.")
                        .license(new License().name("Proprietary").identifier("LicenseRef-Proprietary")))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").bearerFormat("JWT")
                                .description("An access token from POST /auth/login (15 minutes; renew with "
                                        + "POST /auth/refresh)"))
                        .addSecuritySchemes(API_KEY, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name("X-API-Key")
                                .description("An API key (clc_live_…) from POST /api/api-keys; it holds scopes, "
                                        + "never more than its creator's role")))
                .servers(List.of(new Server().url("/").description("the service that serves this document")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER))
                .addSecurityItem(new SecurityRequirement().addList(API_KEY));
    }

    /** Schemas name properties as the service reads and writes them: snake_case (WebConfiguration). */
    @Bean
    ModelResolver snakeCaseSchemas(ObjectMapperProvider mappers) {
        return new ModelResolver(mappers.jsonMapper().copy()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)).openapi31(mappers.isOpenapi31());
    }

    @Bean
    OpenApiCustomizer operationsDescribed(ObjectMapperProvider mappers) {
        JsonNode examples = examples(mappers.jsonMapper());
        return api -> {
            api.getComponents().addSchemas(PROBLEM, problemSchema());
            List<String> used = new ArrayList<>();
            api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
                String name = method.name() + " " + path;
                op.setSummary(SUMMARIES.getOrDefault(name, op.getSummary()));
                op.setOperationId(operationId(method.name(), path));
                String tag = tag(path);
                op.setTags(List.of(tag));
                if (!used.contains(tag)) {
                    used.add(tag);
                }
                if (PUBLIC.contains(name)) {
                    op.setSecurity(new ArrayList<>());
                } else if (path.startsWith("/auth/")) {
                    op.setSecurity(List.of(new SecurityRequirement().addList(BEARER)));
                }
                problems(op, !PUBLIC.contains(name));
                if (RAW_BODIES.containsKey(name)) {
                    op.getRequestBody().getContent().values().forEach(m -> m.setSchema(RAW_BODIES.get(name)));
                }
                examples(op, examples.path(name));
                if (method == PathItem.HttpMethod.POST && path.startsWith("/api/")) {
                    op.addParametersItem(new HeaderParameter().name(IdempotencyFilter.HEADER).required(false)
                            .schema(new StringSchema().maxLength(255))
                            .description("Makes a retry safe: the same key and request within 24 hours get the "
                                    + "first answer again (Idempotent-Replayed: true) without running twice"));
                }
            }));
            api.setTags(used.stream().sorted().map(t -> new Tag().name(t).description(TAG_DESCRIPTIONS.get(t)))
                    .toList());
        };
    }

    /** The examples of request and response bodies, by "METHOD path" ({@link #EXAMPLES}). */
    private static JsonNode examples(ObjectMapper json) {
        try (InputStream in = new ClassPathResource(EXAMPLES).getInputStream()) {
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + EXAMPLES, e);
        }
    }

    /** {"request": body, "responses": {"200": body}}: each body the example of its JSON content. */
    private static void examples(Operation op, JsonNode examples) {
        if (examples.has("request") && op.getRequestBody() != null && op.getRequestBody().getContent() != null) {
            op.getRequestBody().getContent().values().forEach(m -> m.setExample(examples.get("request")));
        }
        examples.path("responses").fields().forEachRemaining(e -> {
            ApiResponse response = op.getResponses().get(e.getKey());
            if (response != null && response.getContent() != null) {
                response.getContent().values().forEach(m -> m.setExample(e.getValue()));
            }
        });
    }

    private static ObjectSchema problemSchema() {
        ObjectSchema problem = new ObjectSchema();
        problem.description("An RFC 9457 problem; code names it and stays stable within version 1")
                .addProperty("type", new StringSchema().example("urn:catalytic:problem:not_found"))
                .addProperty("title", new StringSchema().example("Not Found"))
                .addProperty("status", new IntegerSchema().example(404))
                .addProperty("detail", new StringSchema().example("user not found"))
                .addProperty("code", new StringSchema().example("not_found"))
                .addProperty("field", new StringSchema().description("the input at fault, if any"))
                .addProperty("instance", new StringSchema().example("/api/users/u-1"))
                .addProperty("request_id", new StringSchema());
        return problem;
    }

    private static void problems(Operation op, boolean secured) {
        ApiResponse problem = new ApiResponse().description("A problem: bad input (400, 422), not found or "
                        + "another tenant's (404), a conflict (409), a plan limit (402), too many requests (429)")
                .content(new Content().addMediaType("application/problem+json",
                        new MediaType().schema(new ObjectSchema().$ref("#/components/schemas/" + PROBLEM))));
        if (secured && !op.getResponses().containsKey("401")) {
            op.getResponses().addApiResponse("401", new ApiResponse().description("No credential, or not a valid "
                    + "one").content(problem.getContent()));
        }
        if (op.getResponses().keySet().stream().noneMatch(code -> code.startsWith("4") && !code.equals("401"))) {
            op.getResponses().addApiResponse("4XX", problem);
        }
    }

    /**
     * A stable operation id from the method and the path, as generated clients name their methods:
     * {@code GET /api/users/{id}} is {@code getUsersById}, {@code POST /api/lattices/{id}/path} is
     * {@code postLatticesByIdPath}.
     */
    static String operationId(String method, String path) {
        StringBuilder id = new StringBuilder(method.toLowerCase(Locale.ROOT));
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals("api")) {
                continue;
            }
            boolean parameter = segment.startsWith("{");
            if (parameter) {
                id.append("By");
            }
            for (String word : segment.replaceAll("[{}]", "").split("[^A-Za-z0-9]+")) {
                if (!word.isEmpty()) {
                    id.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
                }
            }
        }
        return id.toString();
    }

    private static String tag(String path) {
        return TAGS.entrySet().stream().filter(e -> path.startsWith(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("Other");
    }

    private static Map<String, String> tags() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("/auth/invitations", "Team");
        t.put("/auth/", "Authentication");
        t.put("/.well-known/", "Authentication");
        t.put("/api/users", "Team");
        t.put("/api/api-keys", "API keys");
        t.put("/api/me", "Account");
        t.put("/api/tenant", "Account");
        t.put("/api/plans", "Billing");
        t.put("/api/subscription", "Billing");
        t.put("/webhooks/stripe", "Billing");
        t.put("/api/lattices", "Lattices");
        t.put("/api/usage", "Usage");
        t.put("/api/audit-logs", "Audit");
        t.put("/api/history", "Audit");
        t.put("/api/webhooks", "Webhooks");
        t.put("/health", "Operations");
        return t;
    }

    private static Map<String, String> summaries() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("POST /auth/register", "Sign a company up: a tenant and its owner");
        s.put("POST /auth/login", "Log in: an access token and a refresh token");
        s.put("POST /auth/refresh", "Exchange a refresh token for a new pair");
        s.put("POST /auth/logout", "End the current session");
        s.put("POST /auth/password-reset", "Ask for a password-reset link by e-mail");
        s.put("POST /auth/password-reset/confirm", "Set a new password with a reset link's token");
        s.put("POST /auth/invitations/accept", "Accept an invitation and set a password");
        s.put("GET /.well-known/jwks.json", "The public keys that verify tokens and audit checkpoints");
        s.put("GET /health", "Health of the service, its database and Redis");
        s.put("GET /api/me", "The caller, its tenant and plan");
        s.put("GET /api/tenant", "The caller's tenant");
        s.put("PATCH /api/tenant", "Rename the tenant");
        s.put("GET /api/users", "List the tenant's users");
        s.put("POST /api/users", "Add a user (with a password) or invite one");
        s.put("GET /api/users/{id}", "One user of the tenant");
        s.put("PATCH /api/users/{id}", "Change a user's role or deactivate, reactivate them");
        s.put("DELETE /api/users/{id}", "Remove a user from the tenant");
        s.put("GET /api/users/{id}/personal-data", "What the service holds of a user, personal data opened (owners, "
                + "the user)");
        s.put("DELETE /api/users/{id}/personal-data", "Erase a user's personal data, removing them first (owners)");
        s.put("GET /api/api-keys", "List the tenant's API keys");
        s.put("POST /api/api-keys", "Issue an API key (its secret is shown once)");
        s.put("POST /api/api-keys/{id}/rotate", "Replace an API key, the old one valid for a grace period");
        s.put("DELETE /api/api-keys/{id}", "Revoke an API key");
        s.put("GET /api/plans", "The plans and their limits");
        s.put("GET /api/subscription", "The tenant's subscription");
        s.put("POST /api/subscription/checkout", "Start a Stripe checkout for a plan");
        s.put("POST /api/subscription/portal", "Open the Stripe billing portal");
        s.put("POST /webhooks/stripe", "Stripe's signed events (called by Stripe)");
        s.put("GET /api/lattices", "List the tenant's lattices");
        s.put("POST /api/lattices", "Create a lattice");
        s.put("GET /api/lattices/{id}", "One lattice");
        s.put("DELETE /api/lattices/{id}", "Delete a lattice");
        s.put("POST /api/lattices/{id}/path", "Shortest path between two vertices (metered)");
        s.put("POST /api/lattices/{id}/analyze", "Structure of a lattice: degrees, diameter, components (metered)");
        s.put("GET /api/lattices/{id}/operations", "A lattice's computations, newest first");
        s.put("GET /api/usage", "Usage report: calls, units and errors by endpoint and period, quota");
        s.put("GET /api/usage/logs", "Metered calls one by one, newest first");
        s.put("GET /api/usage/export", "Export the metered calls of a period (NDJSON or CSV, streamed)");
        s.put("GET /api/audit-logs", "Search the audit trail");
        s.put("GET /api/audit-logs/export", "Export the audit trail (NDJSON or CSV, streamed)");
        s.put("GET /api/audit-logs/verify", "Re-hash the tenant's audit chain");
        s.put("POST /api/audit-logs/verify", "Verify the audit chain against a signed checkpoint");
        s.put("GET /api/audit-logs/checkpoint", "Sign a checkpoint of the audit chain now");
        s.put("GET /api/audit-logs/checkpoints", "The kept checkpoints of the audit chain, newest first");
        s.put("GET /api/history/{aggregateType}/{id}", "An aggregate's events, oldest first");
        s.put("GET /api/history/{aggregateType}/{id}/state", "An aggregate's state at an instant");
        s.put("GET /api/webhooks", "List the tenant's webhooks");
        s.put("POST /api/webhooks", "Subscribe a URL to events (its secret is shown once)");
        s.put("GET /api/webhooks/event-types", "The event types and the schema of each payload");
        s.put("GET /api/webhooks/{id}", "One webhook and its delivery health");
        s.put("PATCH /api/webhooks/{id}", "Change a webhook's URL, events or state");
        s.put("DELETE /api/webhooks/{id}", "Delete a webhook");
        s.put("POST /api/webhooks/{id}/rotate-secret", "Replace a webhook's signing secret");
        s.put("POST /api/webhooks/{id}/test", "Send a test event");
        s.put("POST /api/webhooks/{id}/recover", "Send again every event since an instant");
        s.put("GET /api/webhooks/{id}/deliveries", "A webhook's deliveries and their attempts");
        s.put("POST /api/webhooks/{id}/deliveries/{deliveryId}/retry", "Deliver one event again");
        return Map.copyOf(s);
    }
}
