package com.catalytic.command.infra.mail;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Durable delivery with retries. {@link #send} only queues the message (one row in {@code mail_queue}), so a slow
 * or failing mail provider never blocks or fails a user's request; a dispatcher on every node claims due messages
 * (a claim expires, so a node that dies mid-delivery hands its messages on) and delivers them through the
 * configured transport. A failure is retried after 10 s, 1 min, 5 min, 15 min, 30 min, then hourly, and given up
 * after {@code maxAttempts} with an error in the log. Bodies are cleared once a message is sent or given up.
 * Delivery runs on a thread of its own: a slow mail provider never delays the node's other scheduled work.
 */
public class QueuedEmailSender implements EmailSender, SmartLifecycle {

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
    private final String node = UUID.randomUUID().toString();
    private final Duration interval;
    private ScheduledExecutorService dispatcher;

    public QueuedEmailSender(JdbcTemplate jdbc, EmailSender transport, Clock clock, int maxAttempts) {
        this(jdbc, transport, clock, maxAttempts, Duration.ZERO);
    }

    /** @param interval how often the dispatcher looks for due messages; zero: only when {@link #dispatch} is called */
    public QueuedEmailSender(JdbcTemplate jdbc, EmailSender transport, Clock clock, int maxAttempts,
                             Duration interval) {
        this.jdbc = jdbc;
        this.transport = transport;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        if (interval.isZero() || dispatcher != null) {
            return;
        }
        dispatcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mail-dispatch");
            t.setDaemon(true);
            return t;
        });
        dispatcher.scheduleWithFixedDelay(() -> {
            try {
                dispatch();
            } catch (RuntimeException e) {
                log.warn("Mail dispatch failed: {}", e.toString());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (dispatcher != null) {
            dispatcher.shutdown();
            try {
                dispatcher.awaitTermination(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            dispatcher = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return dispatcher != null;
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
                com.catalytic.command.infra.Hashing.sha256Hex(key), email.to(),
                OutboxEmailSender.header(email.subject()), email.text(), email.html(), now, now);
    }

    /** Delivers what is due (at most 50 messages a round); returns how many were sent. */
    public int dispatch() {
        Instant now = clock.instant();
        int claimed = jdbc.update("UPDATE mail_queue SET claimed_by = ?, claimed_until = ? WHERE id IN (SELECT id "
                + "FROM mail_queue WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND "
                + "(claimed_until IS NULL OR claimed_until < ?) ORDER BY next_attempt_at LIMIT 50) "
                // checked again on the row itself: of two nodes claiming at once, the second finds it claimed
                + "AND sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)",
                node, Timestamp.from(now.plus(CLAIM)), Timestamp.from(now), Timestamp.from(now), Timestamp.from(now));
        if (claimed == 0) {
            return 0;
        }
        List<Queued> due = jdbc.query("SELECT id, recipient, subject, text_body, html_body, attempts FROM mail_queue "
                + "WHERE claimed_by = ? AND sent_at IS NULL AND failed_at IS NULL ORDER BY next_attempt_at",
                (rs, i) -> new Queued(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getInt(6)), node);
        int sent = 0;
        for (Queued q : due) {
            try {
                transport.send(new Email(q.to(), q.subject(), q.text(), q.html()));
                jdbc.update("UPDATE mail_queue SET sent_at = ?, attempts = attempts + 1, text_body = NULL, "
                        + "html_body = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                        Timestamp.from(clock.instant()), q.id());
                sent++;
            } catch (RuntimeException e) {
                failed(q, e);
            }
        }
        return sent;
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
}
