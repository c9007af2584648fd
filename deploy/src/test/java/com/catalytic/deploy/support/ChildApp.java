package com.catalytic.deploy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The application in a JVM of its own (built classpath, chosen JVM options such as a small heap), on a test schema
 * with the local PostgreSQL and Redis unless its settings name others; its output goes to a log file in {@code dir}.
 */
public final class ChildApp implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Http http;
    private final Path log;

    private ChildApp(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.http = new Http("http://127.0.0.1:" + port);
        this.log = log;
    }

    /** Starts the service ({@code catalytic serve}) and waits until {@code /health} answers 200. */
    public static ChildApp start(String schema, Path dir, List<String> jvmOptions, Map<String, String> settings) {
        return start(schema, dir, jvmOptions, settings, List.of("serve"));
    }

    /**
     * Starts the service as {@code catalytic COMMAND… --server.port=… --spring…} ({@code command} may be empty: the
     * options alone, as {@code java -jar} is given them) and waits until {@code /health} answers 200.
     */
    public static ChildApp start(String schema, Path dir, List<String> jvmOptions, Map<String, String> settings,
                                 List<String> command) {
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Ddisable-axoniq-console-message=true", "-cp", System.getProperty("java.class.path"),
                CatalyticMain.class.getName()));
        cmd.addAll(command);
        // settings replace these defaults (an option given twice would reach Spring as both values joined)
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", Integer.toString(port));
        all.put("spring.datasource.url", jdbcUrl(schema));
        all.put("spring.datasource.username", TestApp.pgUser());
        all.put("spring.flyway.schemas", schema);
        all.put("catalytic.redis.key-prefix", "test:" + schema + ":");
        all.put("catalytic.auth.key-dir", TestApp.KEY_DIR.toString());
        all.putAll(settings);
        all.forEach((k, v) -> cmd.add("--" + k + "=" + v));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("DATABASE_URL");
        pb.environment().put("REDIS_HOST", TestApp.redisHost());
        pb.environment().put("REDIS_PORT", TestApp.redisPort());
        pb.environment().put("CATALYTIC_DATA_DIR", dir.toString());
        pb.environment().put("MANAGEMENT_PORT", "0"); // never the fixed default: instances run side by side
        Path log = dir.resolve("app-" + System.nanoTime() + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // a test JVM that ends early must not leave the service running (it holds database connections)
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        ChildApp app = new ChildApp(process, port, log);
        try {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                    .until(() -> !process.isAlive() || app.healthy());
        } catch (ConditionTimeoutException e) {
            process.destroyForcibly();
            throw new AssertionError("the service did not start in time; its log ends: " + app.logTail(), e);
        }
        assertThat(process.isAlive()).as("the service is running; its log ends: %s", app.logTail()).isTrue();
        return app;
    }

    private boolean healthy() {
        try {
            return http.get("/health").status() == 200;
        } catch (AssertionError notYetListening) {
            return false;
        }
    }

    /** The JDBC URL of {@code schema} on the test database. */
    public static String jdbcUrl(String schema) {
        return TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public Http http() {
        return http;
    }

    /** The API port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The service's process id (its node id, as an owner of segments, is {@code pid@host}). */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of the log, for failure messages. */
    public String logTail() {
        String all = log();
        return all.substring(Math.max(0, all.length() - 4000));
    }

    /** SIGKILL: no shutdown hooks, no graceful stop. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A port no one listens on now, on the loopback address. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
