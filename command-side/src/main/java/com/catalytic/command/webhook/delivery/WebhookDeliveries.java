package com.catalytic.command.webhook.delivery;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTarget;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTargets;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DeliveryTargetsQuery;
import com.catalytic.api.webhook.WebhookDeliveryMessages.DisableFailingWebhookCommand;
import com.catalytic.api.webhook.WebhookEventTypes;
import com.catalytic.command.webhook.DeliverySchedule;
import com.catalytic.command.webhook.delivery.WebhookPayloads.Payload;
import com.catalytic.infrastructure.queue.DurableQueue;
import com.catalytic.infrastructure.personal.PersonalDataCopies;
import com.catalytic.infrastructure.secrets.Hashing;
import com.catalytic.infrastructure.webhook.WebhookSecrets;
import com.catalytic.infrastructure.webhook.WebhookSender.Answer;
import com.catalytic.infrastructure.webhook.WebhookSender;
import com.catalytic.infrastructure.webhook.WebhookSigner;
import com.catalytic.infrastructure.webhook.WebhookTargets.Target;
import com.catalytic.infrastructure.webhook.WebhookTargets;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.StreamableMessageSource;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Webhook deliveries: planned (one row per event and matching enabled webhook, stored before any attempt; the
 * event's id is the delivery's {@code webhook-id}, and planning the same event for the same webhook again changes
 * nothing) and attempted through the write side's one {@link DurableQueue}. Each attempt checks the URL again
 * (DNS rebinding) and connects to the address checked, signs the stored body with the webhook's valid secrets,
 * records status, latency, the answer cut to 4 KiB and the next attempt from {@link DeliverySchedule}.
 */
public class WebhookDeliveries implements SmartLifecycle, PersonalDataCopies {

    public static final String PENDING = "pending";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final Set<String> STATUSES = Set.of(PENDING, SUCCEEDED, FAILED, CANCELLED);

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Deliveries claimed per worker at a time: a round waits for its slowest attempt, so larger rounds keep the
     * workers busier (docs/PERFORMANCE.md, "Durable queue").
     */
    private static final int ROUND_PER_WORKER = 8;
    /** How long a round's claim holds without being extended. */
    private static final Duration CLAIM = Duration.ofSeconds(30);

    private record Row(String id, String webhookId, String tenantId, String eventId, String eventType, String payload,
                       int attempts) {
    }

    /**
     * @param failureWindow how long an endpoint may fail before it is disabled
     * @param interval      how often the dispatcher looks for due deliveries; zero: only when called
     * @param workers       attempts under way at once on this node
     * @param retention     how long finished deliveries and their attempts are kept
     */
    public record Settings(Duration failureWindow, Duration interval, int workers, Duration retention) {
        public Settings {
            if (workers < 1) {
                throw new IllegalArgumentException("catalytic.webhooks.workers must be at least 1, not " + workers);
            }
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final QueryGateway queries;
    private final WebhookSecrets secrets;
    private final WebhookTargets targets;
    private final WebhookSender sender;
    private final DeliverySchedule schedule;
    private final Clock clock;
    private final MeterRegistry meters;
    private final CommandGateway commands;
    private final Settings settings;
    private final Timer latency;
    private final DurableQueue queue;

    public WebhookDeliveries(JdbcTemplate jdbc, PlatformTransactionManager transactions, QueryGateway queries,
                             WebhookSecrets secrets, WebhookTargets targets, WebhookSender sender,
                             DeliverySchedule schedule, Clock clock, MeterRegistry meters, CommandGateway commands,
                             Settings settings) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.queries = queries;
        this.secrets = secrets;
        this.targets = targets;
        this.sender = sender;
        this.schedule = schedule;
        this.clock = clock;
        this.meters = meters;
        this.commands = commands;
        this.settings = settings;
        this.latency = Timer.builder("catalytic.webhooks.delivery.latency")
                .description("time from sending a delivery to its answer").register(meters);
        // claims extended every 10 s while a round's attempts go on: the rows a node held when it died are taken up
        // by the others (or by it, restarted) 30 s after its last extension at most
        int workers = settings.workers();
        this.queue = new DurableQueue("webhooks", jdbc, clock, "webhook_deliveries", "status = 'pending'", CLAIM,
                settings.interval(), ROUND_PER_WORKER * workers, workers, this::round);
    }

    /** The queue's depth: deliveries due now. */
    public long due() {
        return queue.due();
    }

    /** Stable per webhook and event, so planning twice stores one row. */
    public static String deliveryId(String webhookId, String eventId) {
        return "whd_" + Hashing.sha256Hex(webhookId + "/" + eventId).substring(0, 40);
    }

    /**
     * One pending delivery per enabled webhook of the tenant that wants this type; returns their ids. {@code known}
     * holds the webhooks of tenants already asked for (the planner keeps it for a batch of events).
     */
    public List<String> plan(String eventId, Instant occurredAt, Payload p, Map<String, List<DeliveryTarget>> known) {
        List<String> planned = new ArrayList<>();
        for (DeliveryTarget t : known.computeIfAbsent(p.tenantId(), this::targetsOf)) {
            if (t.wants(p.type(), occurredAt)) {
                planned.add(store(t.webhookId(), p.tenantId(), eventId, p.type(), body(eventId, occurredAt, p)));
            }
        }
        return planned;
    }

    /** New deliveries are due: the dispatcher of this node looks now (once the planning transaction is committed). */
    public void wake() {
        queue.wake();
    }

    /** A delivery of {@code webhook.test} to one webhook, enabled or not. */
    public String planTest(String tenantId, String webhookId, String eventId) {
        Payload p = new Payload(tenantId, WebhookEventTypes.TEST,
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

    /**
     * A round of claimed deliveries: their rows in one read and each tenant's webhooks once, then the work of one
     * delivery.
     */
    private DurableQueue.RowWork round(List<String> ids) {
        Map<String, Row> rows = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.query("SELECT id, webhook_id, tenant_id, event_id, event_type, payload, attempts FROM "
                    + "webhook_deliveries WHERE status = 'pending' AND id IN ("
                    + String.join(",", Collections.nCopies(ids.size(), "?")) + ")", rs -> {
                        Row row = row(rs);
                        rows.put(row.id(), row);
                    }, ids.toArray());
        }
        Map<String, List<DeliveryTarget>> tenants = new HashMap<>();
        for (Row row : rows.values()) {
            tenants.computeIfAbsent(row.tenantId(), this::targetsOf);
        }
        return id -> {
            Row row = rows.get(id);
            return row != null && attempt(row, tenants.get(row.tenantId()).stream()
                    .filter(t -> t.webhookId().equals(row.webhookId())).findFirst());
        };
    }

    /** One attempt of a claimed delivery, its outcome recorded; true on a 2xx answer. */
    private boolean attempt(Row row, Optional<DeliveryTarget> target) {
        boolean test = row.eventType().equals(WebhookEventTypes.TEST);
        if (target.isEmpty() || (!target.get().enabled() && !test)) {
            jdbc.update("UPDATE webhook_deliveries SET status = 'cancelled', last_error = ?, completed_at = ?, "
                    + "claimed_by = NULL, claimed_until = NULL WHERE id = ?", target.isEmpty()
                    ? "the webhook was deleted" : "the webhook is disabled", Timestamp.from(clock.instant()),
                    row.id());
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
        // the attempt, the delivery's new state and the webhook's health: one commit
        boolean disable = Boolean.TRUE.equals(tx.execute(done -> {
            recordAttempt(row, at, a, attempt, status, next);
            return health(row, at, ok);
        }));
        meters.counter("catalytic.webhooks.deliveries", "outcome", ok ? "succeeded" : next == null ? "failed"
                : "retrying").increment();
        if (disable) {
            disable(row, at);
        }
        return ok;
    }

    private void recordAttempt(Row row, Instant at, Answer a, int attempt, String status, Instant next) {
        jdbc.update("INSERT INTO webhook_delivery_attempts (delivery_id, attempt, attempted_at, status, latency_ms, "
                + "response_body, error, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row.id(), attempt,
                Timestamp.from(at), a.status(), a.latencyMillis(), a.body(), a.error(),
                next == null ? null : Timestamp.from(next));
        jdbc.update("UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, "
                + "next_attempt_at = ?, completed_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                status, attempt, a.status(), a.error(), next == null ? null : Timestamp.from(next),
                status.equals(PENDING) ? null : Timestamp.from(clock.instant()), row.id());
    }

    /**
     * The webhook's failure streak: a success ends it; true when a failure finds it older than the failure window and
     * the webhook is not disabled yet.
     */
    private boolean health(Row row, Instant at, boolean ok) {
        Timestamp t = Timestamp.from(at);
        String update = ok
                ? "UPDATE webhook_health SET failing_since = NULL, last_success_at = ? WHERE webhook_id = ?"
                : "UPDATE webhook_health SET failing_since = COALESCE(failing_since, ?), last_failure_at = ? "
                        + "WHERE webhook_id = ?";
        Object[] args = ok ? new Object[] {t, row.webhookId()} : new Object[] {t, t, row.webhookId()};
        if (jdbc.update(update, args) == 0) {
            jdbc.update("INSERT INTO webhook_health (webhook_id, tenant_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    row.webhookId(), row.tenantId());
            jdbc.update(update, args);
        }
        if (ok) {
            return false;
        }
        Map<String, Object> h = jdbc.queryForMap("SELECT failing_since, disabled_at FROM webhook_health "
                + "WHERE webhook_id = ?", row.webhookId());
        Instant since = ((Timestamp) h.get("failing_since")).toInstant();
        return h.get("disabled_at") == null && !since.plus(settings.failureWindow()).isAfter(at);
    }

    /** Disables a webhook that failed for the whole window (once: its tenant's owners and admins are e-mailed). */
    private void disable(Row row, Instant at) {
        Timestamp since = jdbc.queryForObject("SELECT failing_since FROM webhook_health WHERE webhook_id = ?",
                Timestamp.class, row.webhookId());
        commands.sendAndWait(new DisableFailingWebhookCommand(row.webhookId(), row.tenantId(), since.toInstant(),
                at));
        jdbc.update("UPDATE webhook_health SET disabled_at = ? WHERE webhook_id = ?", Timestamp.from(at),
                row.webhookId());
        meters.counter("catalytic.webhooks.disabled").increment();
    }

    /**
     * Deletes the deliveries finished before the retention period and their attempts (hourly, on every node: a
     * second node finds nothing left); returns how many deliveries.
     */
    @Scheduled(fixedDelayString = "${catalytic.webhooks.prune-interval:PT1H}", initialDelayString = "PT5M")
    public int prune() {
        return queue.prune("completed_at", clock.instant().minus(settings.retention()), "delivery_id",
                "webhook_delivery_attempts");
    }

    /** A webhook enabled again (or changed) starts a new failure window. */
    public void resetHealth(String webhookId) {
        jdbc.update("UPDATE webhook_health SET failing_since = NULL, disabled_at = NULL WHERE webhook_id = ?",
                webhookId);
    }

    /**
     * Every catalogued event of the tenant since {@code since} that the webhook wants: planned if it never was,
     * queued again (due now) if its delivery failed or was cancelled; pending and delivered ones are left as they
     * are. Returns how many deliveries were planned or queued again.
     */
    public int recover(String tenantId, String webhookId, Instant since,
                       StreamableMessageSource<TrackedEventMessage<?>> events, PersonalData personalData) {
        Optional<DeliveryTarget> target = targetsOf(tenantId).stream()
                .filter(t -> t.webhookId().equals(webhookId)).findFirst();
        TrackingToken head = events.createHeadToken();
        if (target.isEmpty() || head == null) {
            return 0;
        }
        int queued = 0;
        Timestamp now = Timestamp.from(clock.instant());
        // the event store's own stream (the JDBC store or Axon Server alike), read up to the head as it was now
        try (BlockingStream<TrackedEventMessage<?>> stream = events.openStream(events.createTokenAt(since))) {
            while (stream.hasNextAvailable(1, TimeUnit.SECONDS)) {
                TrackedEventMessage<?> e = stream.nextAvailable();
                Optional<Payload> p = WebhookPayloads.of(e.getPayload(), personalData);
                boolean last = e.trackingToken().covers(head);
                if (p.isEmpty() || !p.get().tenantId().equals(tenantId) || !target.get().wants(p.get().type())) {
                    if (last) {
                        break;
                    }
                    continue;
                }
                String id = deliveryId(webhookId, e.getIdentifier());
                int planned = jdbc.update("INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event_id, "
                        + "event_type, payload, status, attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, "
                        + "'pending', 0, ?, ?) ON CONFLICT DO NOTHING", id, webhookId, tenantId, e.getIdentifier(),
                        p.get().type(), body(e.getIdentifier(), e.getTimestamp(), p.get()), now, now);
                if (planned == 0) {
                    planned = jdbc.update("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, "
                            + "completed_at = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ? "
                            + "AND status IN ('failed', 'cancelled')", now, id);
                }
                queued += planned;
                if (last) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the events to recover", e);
        }
        return queued;
    }

    @Override
    public void start() {
        queue.start();
    }

    @Override
    public void stop() {
        queue.stop();
    }

    public void close() {
        queue.close();
    }

    @Override
    public boolean isRunning() {
        return queue.isRunning();
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString("id"), rs.getString("webhook_id"), rs.getString("tenant_id"),
                rs.getString("event_id"), rs.getString("event_type"), rs.getString("payload"), rs.getInt("attempts"));
    }

    /**
     * Deliveries not yet sent would carry the erased address to the tenant's endpoint, and sent ones (and the
     * answers, which may echo them) keep it: in both it is replaced by the erased marker.
     */
    @Override
    public void eraseSubject(String tenantId, String subjectId, String address) {
        String like = PersonalDataCopies.containing(address);
        jdbc.update("UPDATE webhook_deliveries SET payload = REPLACE(payload, ?, ?) WHERE tenant_id = ? "
                + "AND payload LIKE ? ESCAPE '!'", address, PersonalData.ERASED, tenantId, like);
        jdbc.update("UPDATE webhook_delivery_attempts SET response_body = REPLACE(response_body, ?, ?) "
                + "WHERE response_body LIKE ? ESCAPE '!' AND delivery_id IN "
                + "(SELECT id FROM webhook_deliveries WHERE tenant_id = ?)", address, PersonalData.ERASED, like,
                tenantId);
    }
}
