package com.catalytic.infrastructure.mail;

import com.catalytic.infrastructure.personal.PersonalDataCopies;
import com.catalytic.infrastructure.queue.DurableQueue;
import com.catalytic.infrastructure.secrets.Hashing;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Durable delivery with retries. {@link #send} only queues the message (one row in {@code mail_queue}), so a slow
 * or failing mail provider never blocks or fails a user's request; the write side's one {@link DurableQueue} (shared
 * with webhook deliveries) claims due messages on every node and delivers them through the configured transport. A
 * failure is retried after 10 s, 1 min, 5 min, 15 min, 30 min, then hourly, and given up after {@code maxAttempts}
 * with an error in the log. Bodies are cleared once a message is sent or given up, the row after the retention.
 */
public class QueuedEmailSender implements EmailSender, SmartLifecycle, PersonalDataCopies {

    private static final Logger log = LoggerFactory.getLogger(QueuedEmailSender.class);
    private static final Duration[] BACKOFF = {Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1)};
    private static final Duration CLAIM = Duration.ofMinutes(2);

    private record Queued(String id, String to, String subject, String text, String html, int attempts) {
    }

    private final JdbcTemplate jdbc;
    private final EmailSender transport;
    private final Clock clock;
    private final int maxAttempts;
    private final Duration retention;
    private final Duration transportRetention;
    private final DurableQueue queue;

    public QueuedEmailSender(JdbcTemplate jdbc, EmailSender transport, Clock clock, int maxAttempts) {
        this(jdbc, transport, clock, maxAttempts, Duration.ZERO, Duration.ofDays(30), Duration.ofDays(7));
    }

    /**
     * @param interval  how often the dispatcher looks for due messages; zero: only when {@link #dispatch} is called
     * @param retention how long sent and given-up messages (their bodies already cleared) are kept
     * @param transportRetention how long the transport keeps what it keeps of sent messages (the local outbox)
     */
    public QueuedEmailSender(JdbcTemplate jdbc, EmailSender transport, Clock clock, int maxAttempts,
                             Duration interval, Duration retention, Duration transportRetention) {
        this.jdbc = jdbc;
        this.retention = retention;
        this.transportRetention = transportRetention;
        this.transport = transport;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.queue = new DurableQueue("mail", jdbc, clock, "mail_queue", "sent_at IS NULL AND failed_at IS NULL",
                CLAIM, interval, 50, ids -> this::deliver);
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

    /** E-mails due now and not yet sent (the queue's depth). */
    public long due() {
        return queue.due();
    }

    @Override
    public void send(Email email) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("INSERT INTO mail_queue (id, recipient, subject, text_body, html_body, created_at, attempts, "
                + "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)", UUID.randomUUID().toString(), email.to(),
                OutboxEmailSender.header(email.subject()), email.text(), email.html(), now, now);
    }

    /**
     * Queues {@code email} unless a message with this {@code key} was queued before (an event handled again, e.g.
     * after a restart, sends nothing twice).
     */
    public void sendOnce(String key, Email email) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("INSERT INTO mail_queue (id, recipient, subject, text_body, html_body, created_at, attempts, "
                + "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING",
                Hashing.sha256Hex(key), email.to(),
                OutboxEmailSender.header(email.subject()), email.text(), email.html(), now, now);
    }

    /** Delivers what is due (at most 50 messages a round); returns how many were sent. */
    public int dispatch() {
        return queue.dispatch();
    }

    /**
     * Deletes the messages sent or given up before the retention period, and what the transport keeps of messages
     * older than its own (the outbox's files), hourly; returns how many rows of the queue.
     */
    @Scheduled(fixedDelayString = "${catalytic.mail.prune-interval:PT1H}", initialDelayString = "PT5M")
    public int prune() {
        int files = transport.removeSentBefore(clock.instant().minus(transportRetention));
        if (files > 0) {
            log.info("Removed {} e-mail file(s) older than {} from the outbox", files, transportRetention);
        }
        return queue.prune("COALESCE(sent_at, failed_at)", clock.instant().minus(retention));
    }

    private boolean deliver(String id) {
        List<Queued> rows = jdbc.query("SELECT id, recipient, subject, text_body, html_body, attempts FROM mail_queue "
                + "WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL", (rs, i) -> queued(rs), id);
        if (rows.isEmpty()) {
            return false;
        }
        Queued q = rows.get(0);
        try {
            transport.send(new Email(q.to(), q.subject(), q.text(), q.html()));
        } catch (RuntimeException e) {
            failed(q, e);
            return false;
        }
        jdbc.update("UPDATE mail_queue SET sent_at = ?, attempts = attempts + 1, text_body = NULL, "
                + "html_body = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                Timestamp.from(clock.instant()), q.id());
        return true;
    }

    private void failed(Queued q, RuntimeException e) {
        int attempts = q.attempts() + 1;
        String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        error = error.length() > 1000 ? error.substring(0, 1000) : error;
        if (attempts >= maxAttempts) {
            log.error("E-mail {} ({}) given up after {} attempts: {}", q.id(), q.subject(), attempts, error);
            jdbc.update("UPDATE mail_queue SET failed_at = ?, attempts = ?, last_error = ?, text_body = NULL, "
                    + "html_body = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                    Timestamp.from(clock.instant()), attempts, error, q.id());
            return;
        }
        Duration wait = BACKOFF[Math.min(attempts - 1, BACKOFF.length - 1)];
        log.warn("E-mail {} ({}) not delivered (attempt {} of {}), retrying in {}: {}", q.id(), q.subject(),
                attempts, maxAttempts, wait, error);
        jdbc.update("UPDATE mail_queue SET attempts = ?, next_attempt_at = ?, last_error = ?, claimed_by = NULL, "
                + "claimed_until = NULL WHERE id = ?", attempts, Timestamp.from(clock.instant().plus(wait)), error,
                q.id());
    }

    private static Queued queued(ResultSet rs) throws SQLException {
        return new Queued(rs.getString("id"), rs.getString("recipient"), rs.getString("subject"),
                rs.getString("text_body"), rs.getString("html_body"), rs.getInt("attempts"));
    }

    /** An erased address gets no more mail, and the queue keeps no message to it, sent or not. */
    @Override
    public void eraseSubject(String tenantId, String subjectId, String address) {
        jdbc.update("DELETE FROM mail_queue WHERE recipient = ?", address);
    }
}
