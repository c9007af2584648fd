package com.catalytic.command.webhook.delivery;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTarget;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTargets;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTargetsQuery;
import com.catalytic.command.infra.Hashing;
import com.catalytic.command.infra.queue.DurableQueue;
import com.catalytic.command.webhook.DeliverySchedule;
import com.catalytic.command.webhook.WebhookSecrets;
import com.catalytic.command.webhook.WebhookSigner;
import com.catalytic.command.webhook.WebhookTargets;
import com.catalytic.command.webhook.WebhookTargets.Target;
import com.catalytic.command.webhook.delivery.WebhookPayloads.Payload;
import com.catalytic.command.webhook.delivery.WebhookSender.Answer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Webhook deliveries: planned (one row per event and matching enabled webhook, stored before any attempt; the
 * event's id is the delivery's {@code webhook-id}, and planning the same event for the same webhook again changes
 * nothing) and attempted through the write side's one {@link DurableQueue}. Each attempt checks the URL again
 * (DNS rebinding) and connects to the address checked, signs the stored body with the webhook's valid secrets,
 * records status, latency, the answer cut to 4 KiB and the next attempt from {@link DeliverySchedule}.
 */
public class WebhookDeliveries implements SmartLifecycle {

    public static final String PENDING = "pending";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Row(String id, String webhookId, String tenantId, String eventId, String payload, int attempts) {
    }

    private final JdbcTemplate jdbc;
    private final QueryGateway queries;
    private final WebhookSecrets secrets;
    private final WebhookTargets targets;
    private final WebhookSender sender;
    private final DeliverySchedule schedule;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Timer latency;
    private final DurableQueue queue;

    public WebhookDeliveries(JdbcTemplate jdbc, QueryGateway queries, WebhookSecrets secrets, WebhookTargets targets,
                             WebhookSender sender, DeliverySchedule schedule, Clock clock, MeterRegistry meters,
                             Duration interval) {
        this.jdbc = jdbc;
        this.queries = queries;
        this.secrets = secrets;
        this.targets = targets;
        this.sender = sender;
        this.schedule = schedule;
        this.clock = clock;
        this.meters = meters;
        this.latency = Timer.builder("catalytic.webhooks.delivery.latency")
                .description("time from sending a delivery to its answer").register(meters);
        // a claim outlives a batch of 20 attempts at the 15 s timeout
        this.queue = new DurableQueue("webhooks", jdbc, clock, "webhook_deliveries", "status = 'pending'",
                Duration.ofMinutes(6), interval, 20, this::attempt);
    }

    /** The queue's depth: deliveries due now. */
    public long due() {
        return queue.due();
    }

    /** Stable per webhook and event, so planning twice stores one row. */
    public static String deliveryId(String webhookId, String eventId) {
        return "whd_" + Hashing.sha256Hex(webhookId + "/" + eventId).substring(0, 40);
    }

    /** One pending delivery per enabled webhook of the tenant that wants this type; returns their ids. */
    public List<String> plan(String eventId, Instant occurredAt, Payload p) {
        List<String> planned = new ArrayList<>();
        for (DeliveryTarget t : targetsOf(p.tenantId())) {
            if (t.wants(p.type())) {
                planned.add(store(t.webhookId(), p.tenantId(), eventId, p.type(), body(eventId, occurredAt, p)));
            }
        }
        return planned;
    }

    /** A delivery of {@code webhook.test} to one webhook, enabled or not. */
    public String planTest(String tenantId, String webhookId, String eventId) {
        Payload p = new Payload(tenantId, com.catalytic.api.webhook.WebhookEventTypes.TEST,
                Map.of("webhook_id", webhookId, "message", "a test delivery"));
        return store(webhookId, tenantId, eventId, p.type(), body(eventId, clock.instant(), p));
    }

    static String body(String eventId, Instant occurredAt, Payload p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", eventId);
        m.put("type", p.type());
        m.put("created_at", occurredAt.toString());
        m.put("tenant_id", p.tenantId());
        m.put("data", p.data());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String store(String webhookId, String tenantId, String eventId, String type, String body) {
        String id = deliveryId(webhookId, eventId);
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event_id, event_type, payload, status, "
                + "attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
                + "ON CONFLICT DO NOTHING", id, webhookId, tenantId, eventId, type, body, now, now);
        return id;
    }

    /** Makes a delivery pending again, due now (manual retry); false when it is not the tenant's webhook's. */
    public boolean retry(String tenantId, String webhookId, String deliveryId) {
        Timestamp now = Timestamp.from(clock.instant());
        return jdbc.update("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, completed_at = NULL, "
                + "claimed_by = NULL, claimed_until = NULL WHERE id = ? AND webhook_id = ? AND tenant_id = ?",
                now, deliveryId, webhookId, tenantId) == 1;
    }

    private List<DeliveryTarget> targetsOf(String tenantId) {
        return queries.query(new DeliveryTargetsQuery(tenantId), DeliveryTargets.class).join().targets();
    }

    /** Works off what is due now; returns how many deliveries succeeded. */
    public int dispatch() {
        return queue.dispatch();
    }

    /** One attempt of a claimed delivery, its outcome recorded; true on a 2xx answer. */
    boolean attempt(String id) {
        List<Row> rows = jdbc.query("SELECT id, webhook_id, tenant_id, event_id, payload, attempts FROM "
                + "webhook_deliveries WHERE id = ? AND status = 'pending'", (rs, i) -> new Row(rs.getString(1),
                rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6)), id);
        if (rows.isEmpty()) {
            return false;
        }
        Row row = rows.get(0);
        Optional<DeliveryTarget> target = targetsOf(row.tenantId()).stream()
                .filter(t -> t.webhookId().equals(row.webhookId())).findFirst();
        boolean test = jdbc.queryForObject("SELECT event_type FROM webhook_deliveries WHERE id = ?", String.class, id)
                .equals(com.catalytic.api.webhook.WebhookEventTypes.TEST);
        if (target.isEmpty() || (!target.get().enabled() && !test)) {
            jdbc.update("UPDATE webhook_deliveries SET status = 'cancelled', last_error = ?, completed_at = ?, "
                    + "claimed_by = NULL, claimed_until = NULL WHERE id = ?", target.isEmpty()
                    ? "the webhook was deleted" : "the webhook is disabled", Timestamp.from(clock.instant()), id);
            meters.counter("catalytic.webhooks.deliveries", "outcome", "cancelled").increment();
            return false;
        }
        Instant at = clock.instant();
        Answer answer;
        try {
            Target checked = targets.check(target.get().url());
            answer = sender.send(checked, WebhookSigner.headers(row.eventId(), at.getEpochSecond(), row.payload(),
                    secretsOf(target.get(), at)), row.payload());
            latency.record(answer.latencyMillis(), TimeUnit.MILLISECONDS);
        } catch (DomainException e) {
            answer = new Answer(0, null, null, "refused: " + e.getMessage(), 0);
        }
        return record(row, at, answer);
    }

    private List<String> secretsOf(DeliveryTarget t, Instant at) {
        List<String> out = new ArrayList<>();
        out.add(secrets.decrypt(t.webhookId(), t.encryptedSecret()));
        if (t.previousEncryptedSecret() != null && t.previousSecretValidUntil() != null
                && at.isBefore(t.previousSecretValidUntil())) {
            out.add(secrets.decrypt(t.webhookId(), t.previousEncryptedSecret()));
        }
        return out;
    }

    private boolean record(Row row, Instant at, Answer a) {
        int attempt = row.attempts() + 1;
        boolean ok = DeliverySchedule.isSuccess(a.status());
        Instant next = ok ? null : schedule.next(attempt, at, a.status(), DeliverySchedule.retryAfter(a.retryAfter(),
                at)).orElse(null);
        String status = ok ? SUCCEEDED : next == null ? FAILED : PENDING;
        jdbc.update("INSERT INTO webhook_delivery_attempts (delivery_id, attempt, attempted_at, status, latency_ms, "
                + "response_body, error, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row.id(), attempt,
                Timestamp.from(at), a.status(), a.latencyMillis(), a.body(), a.error(),
                next == null ? null : Timestamp.from(next));
        jdbc.update("UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, "
                + "next_attempt_at = ?, completed_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                status, attempt, a.status(), a.error(), next == null ? null : Timestamp.from(next),
                status.equals(PENDING) ? null : Timestamp.from(clock.instant()), row.id());
        meters.counter("catalytic.webhooks.deliveries", "outcome", ok ? "succeeded" : next == null ? "failed"
                : "retrying").increment();
        return ok;
    }

    @Override
    public void start() {
        queue.start();
    }

    @Override
    public void stop() {
        queue.stop();
    }

    @Override
    public boolean isRunning() {
        return queue.isRunning();
    }
}
