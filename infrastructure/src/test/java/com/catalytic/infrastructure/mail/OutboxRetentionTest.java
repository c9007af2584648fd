package com.catalytic.infrastructure.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.infrastructure.mail.EmailSender.Email;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox's message files hold live links: they are removed once older than the retention, newer ones kept. */
class OutboxRetentionTest {

    @TempDir
    Path dir;

    @Test
    void filesOlderThanTheCutoffAreRemovedAndNewerOnesKept() throws Exception {
        OutboxEmailSender outbox = new OutboxEmailSender(dir, "Catalytic <no-reply@example.com>", Clock.systemUTC());
        outbox.send(new Email("old@example.com", "Reset", "https://app.example.com/reset?token=1", "<p>1</p>"));
        outbox.send(new Email("new@example.com", "Reset", "https://app.example.com/reset?token=2", "<p>2</p>"));
        Path notMail = Files.writeString(dir.resolve("README.txt"), "not a message");
        Path old;
        try (Stream<Path> files = Files.list(dir)) {
            old = files.filter(f -> read(f).contains("old@example.com")).findFirst().orElseThrow();
        }
        Instant now = Instant.now();
        Files.setLastModifiedTime(old, FileTime.from(now.minus(Duration.ofDays(8))));
        Files.setLastModifiedTime(notMail, FileTime.from(now.minus(Duration.ofDays(30))));

        assertThat(outbox.removeSentBefore(now.minus(Duration.ofDays(7)))).isEqualTo(1);
        assertThat(old).doesNotExist();
        assertThat(notMail).exists();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".eml")).map(OutboxRetentionTest::read))
                    .singleElement().asString().contains("new@example.com");
        }
        assertThat(outbox.removeSentBefore(now.minus(Duration.ofDays(7)))).isZero();
        assertThat(new OutboxEmailSender(dir.resolve("missing"), "x@example.com", Clock.systemUTC())
                .removeSentBefore(now)).isZero();
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
