package com.catalytic.deploy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** The messages an instance wrote to its mail outbox directory ({@code catalytic.mail.outbox-dir}). */
public final class Outbox {

    private Outbox() {
    }

    /** Every message to {@code email}, oldest first (file names start with the time they were written). */
    public static List<String> messagesTo(Path dir, String email) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().map(Outbox::read).filter(m -> m.contains("To: " + email + "\r\n")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until every event stored so far has been handled (so every e-mail it causes is queued) and the mail queue
     * has delivered everything it holds. After that no further e-mail arrives until something new happens: how a
     * test shows that a message was not sent, without waiting an arbitrary time.
     */
    public static void awaitQuiet(TestApp app) {
        Projections.awaitCaughtUp(app);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                "SELECT COUNT(*) FROM mail_queue WHERE sent_at IS NULL AND failed_at IS NULL", Long.class))
                .as("e-mails waiting in the queue").isZero());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
