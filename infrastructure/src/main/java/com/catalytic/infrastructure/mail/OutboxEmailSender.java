package com.catalytic.infrastructure.mail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes each e-mail as an RFC 5322 message file ({@code .eml}) into the outbox directory, where a developer (or a
 * test) can open it. The embedded default's mail transport. The files hold live links (invitations, password
 * resets), so they are removed after the outbox retention ({@code catalytic.mail.outbox-retention}, 7 days, the
 * links' longest lifetime).
 */
class OutboxEmailSender implements EmailSender {

    private final Path outbox;
    private final String from;
    private final Clock clock;

    public OutboxEmailSender(Path outbox, String from, Clock clock) {
        this.outbox = outbox;
        this.from = from;
        this.clock = clock;
    }

    @Override
    public void send(Email email) {
        String boundary = "b-" + UUID.randomUUID();
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().atZone(ZoneOffset.UTC));
        String message = "From: " + header(from) + "\r\nTo: " + header(email.to()) + "\r\nSubject: "
                + subject(email.subject())
                + "\r\nDate: " + date + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\""
                + boundary + "\"\r\n\r\n--" + boundary + "\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
                + email.text() + "\r\n--" + boundary + "\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n"
                + email.html() + "\r\n--" + boundary + "--\r\n";
        try {
            Files.createDirectories(outbox);
            String name = clock.millis() + "-" + UUID.randomUUID().toString().substring(0, 8) + ".eml";
            Files.writeString(outbox.resolve(name), message, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the mail outbox " + outbox, e);
        }
    }

    /** Message files last written before {@code cutoff} are deleted: their links have expired by then. */
    @Override
    public int removeSentBefore(Instant cutoff) {
        if (!Files.isDirectory(outbox)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> files = Files.list(outbox)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".eml")).toList()) {
                try {
                    if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff) && Files.deleteIfExists(file)) {
                        removed++;
                    }
                } catch (NoSuchFileException gone) {
                    // removed meanwhile (another node sharing the folder, or an operator)
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the mail outbox " + outbox, e);
        }
        return removed;
    }

    /** Header values never carry line breaks (no header injection). */
    static String header(String value) {
        return value.replaceAll("[\\r\\n]+", " ");
    }

    /** Non-ASCII subjects as an RFC 2047 encoded word. */
    static String subject(String value) {
        String v = header(value);
        return v.chars().allMatch(c -> c < 128) ? v : "=?UTF-8?B?"
                + Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    public Path outbox() {
        return outbox;
    }
}
