package com.catalytic.command.webhook.delivery;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryAttemptView;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryPage;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryView;
import com.catalytic.api.webhook.WebhookDeliveryMessages.ListDeliveriesQuery;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookHealth;
import com.catalytic.api.webhook.WebhookDeliveryMessages.WebhookHealthQuery;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Answers about deliveries, from the tables the delivery side owns ({@code webhook_deliveries} is an outbox, not a
 * projection): a webhook's deliveries newest first with every attempt, and how its deliveries fare. The caller has
 * checked that the webhook is the tenant's; the tenant is in every condition anyway.
 */
@Component
public class WebhookDeliveryQueries {

    public static final Set<String> STATUSES = Set.of(WebhookDeliveries.PENDING, WebhookDeliveries.SUCCEEDED,
            WebhookDeliveries.FAILED, WebhookDeliveries.CANCELLED);

    private final JdbcTemplate jdbc;
    private final WebhookDeliveries deliveries;

    public WebhookDeliveryQueries(JdbcTemplate jdbc, WebhookDeliveries deliveries) {
        this.jdbc = jdbc;
        this.deliveries = deliveries;
    }

    @QueryHandler
    public WebhookHealth handle(WebhookHealthQuery q) {
        return deliveries.health(q.webhookId());
    }

    @QueryHandler
    public DeliveryPage handle(ListDeliveriesQuery q) {
        List<Object> args = new ArrayList<>(List.of(q.tenantId(), q.webhookId()));
        StringBuilder sql = new StringBuilder("SELECT id, event_id, event_type, status, attempts, last_status, "
                + "last_error, created_at, next_attempt_at, completed_at FROM webhook_deliveries WHERE tenant_id = ? "
                + "AND webhook_id = ?");
        if (q.status() != null) {
            sql.append(" AND status = ?");
            args.add(q.status());
        }
        if (q.cursor() != null) {
            Object[] c = cursor(q.cursor());
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            args.add(c[0]);
            args.add(c[0]);
            args.add(c[1]);
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(q.limit() + 1);
        List<Map<String, Object>> rows = jdbc.queryForList(sql.toString(), args.toArray());
        boolean more = rows.size() > q.limit();
        List<Map<String, Object>> page = more ? rows.subList(0, q.limit()) : rows;
        Map<String, List<DeliveryAttemptView>> attempts = attempts(page.stream().map(r -> (String) r.get("id"))
                .toList());
        List<DeliveryView> out = page.stream().map(r -> new DeliveryView((String) r.get("id"),
                (String) r.get("event_id"), (String) r.get("event_type"), (String) r.get("status"),
                ((Number) r.get("attempts")).intValue(), r.get("last_status") == null ? null
                : ((Number) r.get("last_status")).intValue(), (String) r.get("last_error"), instant(r.get("created_at")),
                instant(r.get("next_attempt_at")), instant(r.get("completed_at")),
                attempts.getOrDefault((String) r.get("id"), List.of()))).toList();
        String next = null;
        if (more) {
            Map<String, Object> last = page.get(page.size() - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString((instant(last.get("created_at")) + "|"
                    + last.get("id")).getBytes(StandardCharsets.UTF_8));
        }
        return new DeliveryPage(out, next);
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

    private static Object[] cursor(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            return new Object[] {Timestamp.from(Instant.parse(parts[0])), parts[1]};
        } catch (RuntimeException e) {
            throw DomainException.validation("cursor", "invalid_cursor", "cursor is not one this API gave out");
        }
    }

    private static Instant instant(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Timestamp t) {
            return t.toInstant();
        }
        if (v instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        return (Instant) v;
    }
}
