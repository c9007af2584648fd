package com.catalytic.deploy.cli;

import com.catalytic.deploy.config.DatabaseUrl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The copy an operator command makes of a database before it changes it ({@code --backup}). */
final class Backups {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private Backups() {
    }

    /**
     * Backs up the database {@code db} names into {@code dir}: an embedded database as a copy of its file (it must
     * not be open elsewhere), PostgreSQL with {@code pg_dump} in its custom format (restore with
     * {@code deploy/bin/catalytic-restore} or {@code pg_restore}). Returns the file written.
     */
    static Path before(String change, DatabaseUrl db, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String stamp = stamp();
        if (db.jdbcUrl().startsWith("jdbc:h2:file:")) {
            String path = db.jdbcUrl().substring("jdbc:h2:file:".length()).split(";", 2)[0];
            return copyEmbedded(Path.of(path + ".mv.db"), dir, change, stamp);
        }
        if (!db.jdbcUrl().startsWith("jdbc:postgresql:")) {
            throw new IOException("cannot back up " + db + ": only PostgreSQL and the embedded database are known");
        }
        Path file = dir.resolve("catalytic-before-" + change + "-" + stamp + ".dump");
        List<String> command = new ArrayList<>(List.of("pg_dump", "--format=custom", "--no-owner",
                "--file=" + file, "--dbname=" + libpqUrl(db)));
        String schema = parameters(db.jdbcUrl()).get("currentschema");
        if (schema != null) {
            command.add("--schema=" + schema);
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (db.password() != null && !db.password().isEmpty()) {
            pb.environment().put("PGPASSWORD", db.password());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("pg_dump is not installed (apt-get install postgresql-client): " + e.getMessage(), e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            Files.deleteIfExists(file);
            throw new IOException("pg_dump failed: " + output);
        }
        return file;
    }

    /** A copy of an embedded database file beside it or in {@code dir}. */
    static Path copyEmbedded(Path file, Path dir, String change, String stamp) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("no embedded database at " + file);
        }
        Path copy = dir.resolve("catalytic-before-" + change + "-" + stamp + ".mv.db");
        Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
        return copy;
    }

    static String stamp() {
        return STAMP.format(Instant.now());
    }

    /** The JDBC URL as libpq reads it: no password (given through PGPASSWORD), no JDBC-only parameters. */
    static String libpqUrl(DatabaseUrl db) {
        String rest = db.jdbcUrl().substring("jdbc:".length());
        int q = rest.indexOf('?');
        String base = q < 0 ? rest : rest.substring(0, q);
        String user = db.username() == null || db.username().isEmpty() ? "" : db.username() + "@";
        String ssl = parameters(db.jdbcUrl()).get("sslmode");
        return base.replaceFirst("^postgresql://", "postgresql://" + user) + (ssl == null ? "" : "?sslmode=" + ssl);
    }

    private static Map<String, String> parameters(String jdbcUrl) {
        Map<String, String> params = new TreeMap<>();
        int q = jdbcUrl.indexOf('?');
        if (q >= 0) {
            for (String pair : jdbcUrl.substring(q + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv.length == 2) {
                    params.put(kv[0].toLowerCase(java.util.Locale.ROOT), kv[1]);
                }
            }
        }
        return params;
    }
}
