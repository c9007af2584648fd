package com.catalytic.deploy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
