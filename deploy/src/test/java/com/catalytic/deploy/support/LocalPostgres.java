package com.catalytic.deploy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A private PostgreSQL server (its own data folder, a free loopback port, trust authentication) that a test may
 * restart, stop and start again for real, without touching the server the rest of the suite uses. The server's own
 * programs (initdb, pg_ctl) come from the local installation; as root they run as the {@code postgres} user, since
 * PostgreSQL refuses to run as root.
 */
public final class LocalPostgres implements AutoCloseable {

    private final Path bin;
    private final Path home;
    private final Path data;
    private final int port;

    private LocalPostgres(Path bin, Path home, int port) {
        this.bin = bin;
        this.home = home;
        this.data = home.resolve("data");
        this.port = port;
    }

    /** Creates a database cluster in a fresh folder and starts its server. */
    public static LocalPostgres start() {
        try {
            Path home = Files.createTempDirectory("catalytic-pg-");
            LocalPostgres pg = new LocalPostgres(serverPrograms(), home, ChildApp.freePort());
            if (asRoot()) {
                pg.run(List.of("chown", "postgres", home.toString()), false);
            }
            pg.run(List.of(pg.bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-A", "trust", "-U",
                    "postgres", "-E", "UTF8", "--no-sync"), true);
            pg.launch();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JDBC URL of {@code schema} in this server's {@code postgres} database. */
    public String jdbcUrl(String schema) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?currentSchema=" + schema;
    }

    /** A connection to {@code schema}, opened per statement (it survives the server's restarts). */
    public JdbcTemplate jdbc(String schema) {
        return new JdbcTemplate(new DriverManagerDataSource(jdbcUrl(schema), "postgres", ""));
    }

    /** A restart as an operator makes one: every connection ended, the server back once it accepts them again. */
    public void restart() {
        pgCtl("restart", "-m", "fast");
    }

    /** Stops the server at once, as a crash does (no checkpoint; it recovers from its log when started). */
    public void crash() {
        pgCtl("stop", "-m", "immediate");
    }

    /** Starts the server again after {@link #crash()}; returns when it accepts connections. */
    public void startAgain() {
        launch();
    }

    @Override
    public void close() {
        try {
            pgCtl("stop", "-m", "immediate");
        } catch (IllegalStateException alreadyStopped) {
            // nothing to stop
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        pgCtl("start");
    }

    private void pgCtl(String action, String... options) {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), action, "-D", data.toString(),
                "-w", "-t", "60"));
        cmd.addAll(List.of(options));
        if (!action.equals("stop")) {
            // the server's output to a file: a pipe would stay open as long as the server runs
            cmd.addAll(List.of("-l", home.resolve("server.log").toString()));
            cmd.addAll(List.of("-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
                    + home + " -c fsync=off -c max_connections=100"));
        }
        run(cmd, true);
    }

    private void run(List<String> command, boolean asPostgres) {
        List<String> cmd = new ArrayList<>();
        if (asPostgres && asRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        try {
            // to a file, not a pipe: a server started by the command would hold a pipe open as long as it runs
            Path out = Files.createTempFile("pg-ctl-", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(out));
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The newest installed server's programs (Debian: /usr/lib/postgresql/VERSION/bin). */
    private static Path serverPrograms() throws IOException {
        Path versions = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(versions)) {
            try (Stream<Path> list = Files.list(versions)) {
                return list.filter(v -> v.getFileName().toString().matches("\\d+"))
                        .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                        .map(v -> v.resolve("bin"))
                        .orElseThrow(LocalPostgres::notInstalled);
            }
        }
        throw notInstalled();
    }

    private static IllegalStateException notInstalled() {
        return new IllegalStateException("PostgreSQL's server programs are needed for this test "
                + "(apt-get install postgresql: initdb and pg_ctl under /usr/lib/postgresql/VERSION/bin)");
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
