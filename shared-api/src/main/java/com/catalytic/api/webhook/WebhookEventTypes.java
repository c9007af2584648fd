package com.catalytic.api.webhook;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalogue of event types a webhook can subscribe to. Names are the audit actions of the same events
 * ({@code <aggregate_type>.<past_tense_verb>}); each has a JSON Schema (draft 2020-12) of the whole payload
 * {@code {id, type, created_at, tenant_id, data}}, where {@code id} is the event's own id, stable across redeliveries.
 */
public final class WebhookEventTypes {

    /** Sent by {@code POST /api/webhooks/{id}/test} only; never caused by a domain event. */
    public static final String TEST = "webhook.test";

    public record EventType(String type, String description, Map<String, Object> schema) {
    }

    private static final Map<String, EventType> TYPES = new LinkedHashMap<>();

    static {
        add("tenant.registered", "A tenant signed up.", props("name", str(), "slug", str(), "plan", str()),
                "name", "slug", "plan");
        add("tenant.renamed", "The tenant's name changed.", props("name", str()), "name");
        add("tenant.suspended", "The tenant was suspended.", props("reason", nullableStr()), "reason");
        add("tenant.reinstated", "The tenant was reinstated.", props("reason", nullableStr()), "reason");
        add("tenant.plan_changed", "The tenant moved to another plan.",
                props("previous_plan", nullableStr(), "plan", str()), "previous_plan", "plan");
        add("user.added", "A user joined the tenant (with a password, or invited).",
                props("user_id", str(), "email", email(), "role", role(), "invited", bool()),
                "user_id", "email", "role", "invited");
        add("user.role_changed", "A user's role changed.",
                props("user_id", str(), "previous_role", role(), "role", role()), "user_id", "previous_role", "role");
        add("user.deactivated", "A user was deactivated.", props("user_id", str()), "user_id");
        add("user.reactivated", "A user was reactivated.", props("user_id", str()), "user_id");
        add("user.removed", "A user was removed from the tenant.", props("user_id", str()), "user_id");
        add("user.personal_data_erased", "A user's personal data was erased (their address and every IP address and "
                + "user agent now read as erased here): erase what you hold of them too.", props("user_id", str()),
                "user_id");
        add("user.invitation_accepted", "An invited user set a password.", props("user_id", str()), "user_id");
        add("api_key.issued", "An API key was issued (never the key itself).",
                props("api_key_id", str(), "name", str(), "scopes", strings(), "expires_at", nullableTime(),
                        "rotated_from", nullableStr()),
                "api_key_id", "name", "scopes");
        add("api_key.revoked", "An API key was revoked.", props("api_key_id", str()), "api_key_id");
        add("api_key.rotated", "An API key was replaced; it works until valid_until.",
                props("api_key_id", str(), "replaced_by", str(), "valid_until", time()),
                "api_key_id", "replaced_by", "valid_until");
        add("subscription.updated", "The subscription's plan, interval or status changed.",
                props("plan", nullableStr(), "interval", nullableStr(), "status", str(),
                        "current_period_end", nullableTime(), "cancel_at_period_end", bool()),
                "status");
        add("subscription.payment_succeeded", "An invoice was paid.",
                props("amount_paid", integer(), "currency", str()), "amount_paid", "currency");
        add("subscription.payment_failed", "A payment failed.", props("failed_payments", integer()),
                "failed_payments");
        add("usage.threshold_reached", "The month's API calls crossed 80 or 100 percent of the plan's quota.",
                props("period", str(), "threshold_percent", integer(), "used", integer(), "limit", integer()),
                "period", "threshold_percent", "used", "limit");
        add("lattice.created", "A lattice was created.",
                props("lattice_id", str(), "name", nullableStr(), "dimensions", integer(), "size", integer(),
                        "vertices", str(), "edges", str()),
                "lattice_id", "dimensions", "size");
        add("lattice.deleted", "A lattice was deleted.", props("lattice_id", str()), "lattice_id");
        add(TEST, "A test delivery asked for with POST /api/webhooks/{id}/test.",
                props("webhook_id", str(), "message", str()), "webhook_id", "message");
    }

    private WebhookEventTypes() {
    }

    public static List<EventType> all() {
        return List.copyOf(TYPES.values());
    }

    public static Set<String> names() {
        return Collections.unmodifiableSet(TYPES.keySet());
    }

    public static boolean isKnown(String type) {
        return TYPES.containsKey(type);
    }

    private static void add(String type, String description, Map<String, Object> dataProperties,
                            String... required) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", "object");
        data.put("properties", dataProperties);
        data.put("required", List.of(required));
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        envelope.put("$id", "urn:catalytic:webhook-event:" + type);
        envelope.put("title", type);
        envelope.put("description", description);
        envelope.put("type", "object");
        envelope.put("properties", props("id", str(), "type", Map.of("const", type), "created_at", time(),
                "tenant_id", str(), "data", data));
        envelope.put("required", List.of("id", "type", "created_at", "tenant_id", "data"));
        TYPES.put(type, new EventType(type, description, Collections.unmodifiableMap(envelope)));
    }

    private static Map<String, Object> props(Object... nameThenSchema) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < nameThenSchema.length; i += 2) {
            out.put((String) nameThenSchema[i], nameThenSchema[i + 1]);
        }
        return out;
    }

    private static Map<String, Object> str() {
        return Map.of("type", "string");
    }

    private static Map<String, Object> nullableStr() {
        return Map.of("type", List.of("string", "null"));
    }

    private static Map<String, Object> email() {
        return Map.of("type", "string", "format", "email");
    }

    private static Map<String, Object> time() {
        return Map.of("type", "string", "format", "date-time");
    }

    private static Map<String, Object> nullableTime() {
        return Map.of("type", List.of("string", "null"), "format", "date-time");
    }

    private static Map<String, Object> integer() {
        return Map.of("type", "integer");
    }

    private static Map<String, Object> bool() {
        return Map.of("type", "boolean");
    }

    private static Map<String, Object> strings() {
        return Map.of("type", "array", "items", Map.of("type", "string"));
    }

    private static Map<String, Object> role() {
        List<Object> roles = new ArrayList<>(List.of("owner", "admin", "member", "viewer"));
        return Map.of("type", "string", "enum", roles);
    }
}
