package com.catalytic.command.webhook.delivery;

import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryAttemptView;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryView;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookHealth;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads of the tables the delivery side owns ({@code webhook_deliveries} is an outbox, not a projection, with
 * {@code webhook_delivery_attempts} and {@code webhook_health}); {@link WebhookDeliveries} writes them. The tenant is
 * in every condition.
 */
@Component
class WebhookDeliveryRepository {

    private final JdbcTemplate jdbc;

    public WebhookDeliveryRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A position in a list of deliveries: the last one shown. */
    public record Position(Timestamp createdAt, String id) {
    }

    /** Deliveries newest first; {@code more}: others follow. */
    public record Slice(List<DeliveryView> deliveries, boolean more) {
    }

    /**
     * At most {@code limit} deliveries of the webhook newest first, each with every attempt; only those with the
     * status when it is not null, and only those after {@code after} when it is not null.
     */
    public Slice newestFirst(String tenantId, String webhookId, String status, Position after, int limit) {
        List<Object> args = new ArrayList<>(List.of(tenantId, webhookId));
        StringBuilder sql = new StringBuilder("SELECT id, event_id, event_type, status, attempts, last_status, "
                + "last_error, created_at, next_attempt_at, completed_at FROM webhook_deliveries WHERE tenant_id = ? "
                + "AND webhook_id = ?");
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        if (after != null) {
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            args.add(after.createdAt());
            args.add(after.createdAt());
            args.add(after.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(limit + 1);
        List<Map<String, Object>> rows = jdbc.queryForList(sql.toString(), args.toArray());
        boolean more = rows.size() > limit;
        List<Map<String, Object>> page = more ? rows.subList(0, limit) : rows;
        Map<String, List<DeliveryAttemptView>> attempts = attempts(page.stream().map(r -> (String) r.get("id"))
                .toList());
        return new Slice(page.stream().map(r -> new DeliveryView((String) r.get("id"),
                (String) r.get("event_id"), (String) r.get("event_type"), (String) r.get("status"),
                ((Number) r.get("attempts")).intValue(), r.get("last_status") == null ? null
                : ((Number) r.get("last_status")).intValue(), (String) r.get("last_error"), instant(r.get("created_at")),
                instant(r.get("next_attempt_at")), instant(r.get("completed_at")),
                attempts.getOrDefault((String) r.get("id"), List.of()))).toList(), more);
    }

    private Map<String, List<DeliveryAttemptView>> attempts(List<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        String in = ids.stream().map(i -> "?").collect(Collectors.joining(", "));
        return jdbc.queryForList("SELECT * FROM webhook_delivery_attempts WHERE delivery_id IN (" + in + ") "
                + "ORDER BY attempt", ids.toArray()).stream().collect(Collectors.groupingBy(
                r -> (String) r.get("delivery_id"), Collectors.mapping(r -> new DeliveryAttemptView(
                        ((Number) r.get("attempt")).intValue(), instant(r.get("attempted_at")),
                        ((Number) r.get("status")).intValue(), ((Number) r.get("latency_ms")).longValue(),
                        (String) r.get("response_body"), (String) r.get("error"), instant(r.get("next_attempt_at"))),
                        Collectors.toList())));
    }

    public WebhookHealth health(String webhookId) {
        List<WebhookHealth> h = jdbc.query("SELECT failing_since, last_success_at, last_failure_at FROM webhook_health "
                + "WHERE webhook_id = ?", (rs, i) -> new WebhookHealth(instant(rs.getTimestamp("failing_since")),
                instant(rs.getTimestamp("last_success_at")), instant(rs.getTimestamp("last_failure_at")), 0),
                webhookId);
        Long pending = jdbc.queryForObject("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? "
                + "AND status = 'pending'", Long.class, webhookId);
        WebhookHealth base = h.isEmpty() ? new WebhookHealth(null, null, null, 0) : h.get(0);
        return new WebhookHealth(base.failingSince(), base.lastSuccessAt(), base.lastFailureAt(),
                pending == null ? 0 : pending);
    }

    /** True when the delivery is one of this tenant's webhook's. */
    public boolean exists(String tenantId, String webhookId, String deliveryId) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM webhook_deliveries WHERE id = ? AND webhook_id = ? "
                + "AND tenant_id = ?", Long.class, deliveryId, webhookId, tenantId);
        return n != null && n > 0;
    }

    private static Instant instant(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Timestamp t) {
            return t.toInstant();
        }
        if (v instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        return (Instant) v;
    }
}
