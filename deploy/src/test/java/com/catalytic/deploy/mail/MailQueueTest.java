package com.catalytic.deploy.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.mail.EmailSender.Email;
import com.catalytic.infrastructure.mail.EmailSender;
import com.catalytic.infrastructure.mail.QueuedEmailSender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Queued e-mail: sending never fails the caller; a failed delivery is retried with backoff until it goes through,
 * or given up after the last attempt; bodies (one-time links) do not outlive the delivery.
 */
class MailQueueTest {

    static TestApp app;

    /** A clock the test moves forward, instead of waiting out the backoff. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-26T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A transport that fails the first {@code failures} deliveries. */
    static final class Flaky implements EmailSender {
        int failures;
        final List<Email> delivered = new ArrayList<>();

        Flaky(int failures) {
            this.failures = failures;
        }

        @Override
        public void send(Email email) {
            if (failures-- > 0) {
                throw new IllegalStateException("mail provider unavailable");
            }
            delivered.add(email);
        }
    }

    @BeforeAll
    static void start() {
        // the application's own dispatcher stays out of the way: this test drives its own queue by hand
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.mail.dispatch-interval", "1h"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private Map<String, Object> row(String to) {
        return app.jdbc().queryForMap("SELECT * FROM mail_queue WHERE recipient = ?", to);
    }

    @Test
    void aFailedDeliveryIsRetriedWithBackoffUntilItGoesThrough() {
        TestClock clock = new TestClock();
        Flaky transport = new Flaky(2);
        QueuedEmailSender queue = new QueuedEmailSender(app.jdbc(), transport, clock, 10);
        queue.send(new Email("retry@example.com", "Invitation", "link: https://x/accept?token=secret", "<p>link</p>"));

        assertThat(queue.dispatch()).isZero();
        assertThat(row("retry@example.com")).containsEntry("attempts", 1)
                .containsEntry("last_error", "mail provider unavailable").containsEntry("sent_at", null);
        assertThat(queue.dispatch()).as("not before its backoff").isZero();
        assertThat(row("retry@example.com")).containsEntry("attempts", 1);

        clock.now = clock.now.plus(Duration.ofSeconds(11));
        assertThat(queue.dispatch()).isZero();
        assertThat(row("retry@example.com")).containsEntry("attempts", 2);

        clock.now = clock.now.plus(Duration.ofSeconds(61));
        assertThat(queue.dispatch()).isEqualTo(1);
        assertThat(transport.delivered).extracting(Email::to).containsExactly("retry@example.com");
        Map<String, Object> sent = row("retry@example.com");
        assertThat(sent.get("sent_at")).isNotNull();
        assertThat(sent).containsEntry("attempts", 3).containsEntry("text_body", null).containsEntry("html_body", null);

        clock.now = clock.now.plus(Duration.ofHours(2));
        assertThat(queue.dispatch()).as("sent once").isZero();
        assertThat(transport.delivered).hasSize(1);
    }

    @Test
    void aMessageIsGivenUpAfterTheLastAttemptAndItsBodiesCleared() {
        TestClock clock = new TestClock();
        Flaky transport = new Flaky(Integer.MAX_VALUE);
        QueuedEmailSender queue = new QueuedEmailSender(app.jdbc(), transport, clock, 3);
        queue.send(new Email("never@example.com", "Invitation", "secret link", "<p>secret link</p>"));
        for (int i = 0; i < 5; i++) {
            queue.dispatch();
            clock.now = clock.now.plus(Duration.ofHours(2));
        }
        Map<String, Object> r = row("never@example.com");
        assertThat(r.get("failed_at")).isNotNull();
        assertThat(r).containsEntry("attempts", 3).containsEntry("sent_at", null)
                .containsEntry("text_body", null).containsEntry("html_body", null);
        assertThat(transport.delivered).isEmpty();
    }

    @Test
    void sentAndGivenUpMessagesAreDeletedAfterTheRetentionAndUnsentOnesKept() {
        TestClock clock = new TestClock();
        Instant start = clock.now;
        QueuedEmailSender sending = new QueuedEmailSender(app.jdbc(), new Flaky(0), clock, 10);
        QueuedEmailSender failing = new QueuedEmailSender(app.jdbc(), new Flaky(Integer.MAX_VALUE), clock, 1);
        sending.send(new Email("old-sent@example.com", "Welcome", "hello", "<p>hello</p>"));
        sending.dispatch();
        failing.send(new Email("old-failed@example.com", "Welcome", "hello", "<p>hello</p>"));
        failing.dispatch();
        assertThat(row("old-sent@example.com").get("sent_at")).isNotNull();
        assertThat(row("old-failed@example.com").get("failed_at")).isNotNull();

        clock.now = start.plus(Duration.ofDays(31));
        QueuedEmailSender retrying = new QueuedEmailSender(app.jdbc(), new Flaky(Integer.MAX_VALUE), clock, 10);
        retrying.send(new Email("unsent@example.com", "Welcome", "hello", "<p>hello</p>"));
        retrying.dispatch();
        sending.send(new Email("new-sent@example.com", "Welcome", "hello", "<p>hello</p>"));
        sending.dispatch();
        assertThat(row("unsent@example.com")).containsEntry("attempts", 1).containsEntry("sent_at", null);
        assertThat(row("new-sent@example.com").get("sent_at")).isNotNull();

        assertThat(sending.prune()).isPositive();
        assertThat(count("old-sent@example.com")).isZero();
        assertThat(count("old-failed@example.com")).isZero();
        assertThat(count("new-sent@example.com")).as("sent within the retention").isOne();
        assertThat(count("unsent@example.com")).as("still to be sent").isOne();
    }

    private int count(String to) {
        return app.jdbc().queryForObject("SELECT COUNT(*) FROM mail_queue WHERE recipient = ?", Integer.class, to);
    }
}
