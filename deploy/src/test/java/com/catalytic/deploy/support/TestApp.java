package com.catalytic.deploy.support;

import com.catalytic.deploy.CatalyticApplication;
import com.catalytic.infrastructure.credentials.JwtKeys;
import com.catalytic.infrastructure.personal.PersonalDataConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * One running instance of the whole application on a random port, against the real PostgreSQL and Redis named by
 * TEST_DATABASE_URL / TEST_DATABASE_USER / TEST_REDIS_HOST / TEST_REDIS_PORT (defaults: the local services).
 * Each test class gets its own database schema, so runs never see each other's data; instances started on the
 * same schema form a cluster (shared database, Redis and signing keys).
 */
public final class TestApp implements AutoCloseable {

    public static final Path KEY_DIR = Path.of("target", "test-keys").toAbsolutePath();

    private final ConfigurableApplicationContext context;
    private final int port;
    private final Http http;

    private TestApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.http = new Http("http://127.0.0.1:" + port);
    }

    /**
     * The database encryption key the test apps use (the development key of {@link #KEY_DIR}, made if missing): an
     * operator command run as another process is given it, so that it opens what they sealed and they what it did.
     */
    public static Path databaseKey() {
        return PersonalDataConfiguration.keyFile(null, null, null, KEY_DIR.toString());
    }

    /** Writes a database encryption key as {@code keys generate} does (32 random bytes, Base64), mode 600. */
    public static Path writeDatabaseKey(Path file) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        JwtKeys.writeFile(file, (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII),
                true);
        return file;
    }

    public static String pgUrl() {
        return env("TEST_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    public static String pgUser() {
        return env("TEST_DATABASE_USER", "postgres");
    }

    public static String redisHost() {
        return env("TEST_REDIS_HOST", "127.0.0.1");
    }

    public static String redisPort() {
        return env("TEST_REDIS_PORT", "6379");
    }

    /** A connection to the test database itself, outside any instance (schemas, databases, checks). */
    public static JdbcTemplate adminJdbc() {
        return new JdbcTemplate(new DriverManagerDataSource(pgUrl(), pgUser(),
                env("TEST_DATABASE_PASSWORD", "")));
    }

    public static String newSchema() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A usage journal directory of the instance's own (a node's journal is never shared). */
    private static Path journalDir() {
        try {
            return Files.createTempDirectory("catalytic-journal-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts an instance on PostgreSQL schema {@code schema} with Redis; {@code overrides} win over the defaults. */
    public static TestApp start(String schema, Map<String, String> overrides,
                                ApplicationContextInitializer<?>... initializers) {
        Map<String, String> props = new HashMap<>();
        props.put("server.port", "0");
        // connections on demand: a run starts dozens of instances against one server's connection limit
        props.put("spring.datasource.hikari.minimum-idle", "2");
        props.put("spring.datasource.url", pgUrl() + (pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema);
        props.put("spring.datasource.username", pgUser());
        props.put("spring.datasource.password", env("TEST_DATABASE_PASSWORD", ""));
        props.put("spring.flyway.schemas", schema);
        props.put("REDIS_HOST", redisHost());
        props.put("REDIS_PORT", redisPort());
        props.put("catalytic.redis.key-prefix", "test:" + schema + ":");
        props.put("catalytic.auth.key-dir", KEY_DIR.toString());
        props.putAll(relaxedLimits());
        props.put("catalytic.metering.journal-dir", journalDir().toString());
        // no webhook dispatcher (tests' webhooks name public addresses they must never reach): delivery tests drive
        // a dispatcher of their own, or set an interval against a local receiver
        props.put("catalytic.webhooks.dispatch-interval", "0s");
        props.putAll(overrides);
        return startWith(props, initializers);
    }

    /**
     * Limits raised out of the way of functional tests: per-address limits (every test request comes from
     * 127.0.0.1), generous plans (metering tests set their own), a slow machine's password hashing.
     */
    public static Map<String, String> relaxedLimits() {
        Map<String, String> props = new HashMap<>();
        props.put("catalytic.auth.max-failures-per-ip", "10000");
        props.put("catalytic.auth.max-registrations-per-ip", "10000");
        props.put("catalytic.auth.max-failed-keys-per-ip", "10000");
        props.put("catalytic.auth.password-hashing.max-wait", "60s"); // a loaded test machine hashes slowly
        for (String plan : new String[] {"free", "starter", "professional", "enterprise"}) {
            props.put("catalytic.plans." + plan + ".requests-per-minute", "1000000");
            props.put("catalytic.plans." + plan + ".api-calls-per-month", "-1");
        }
        return props;
    }

    /** Starts an instance with exactly these settings (e.g. the embedded default: no database settings at all). */
    public static TestApp startWith(Map<String, String> props, ApplicationContextInitializer<?>... initializers) {
        List<String> args = new ArrayList<>();
        // a fixed management port would collide between instances; set through the variable operators use
        if (!props.containsKey("MANAGEMENT_PORT") && !props.containsKey("management.server.port")) {
            args.add("--MANAGEMENT_PORT=0");
        }
        props.forEach((k, v) -> args.add("--" + k + "=" + v));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(CatalyticApplication.class)
                .initializers(initializers).run(args.toArray(String[]::new));
        return new TestApp(ctx);
    }

    public Http http() {
        return http;
    }

    /** The API port. */
    public int port() {
        return port;
    }

    /** The management port (metrics), on the loopback address by default. */
    public int managementPort() {
        Integer managementPort = context.getEnvironment().getProperty("local.management.port", Integer.class);
        if (managementPort == null) {
            throw new AssertionError("no management port of its own: are the management endpoints on the API port?");
        }
        return managementPort;
    }

    public Http management() {
        return new Http("http://127.0.0.1:" + managementPort());
    }

    public JdbcTemplate jdbc() {
        return context.getBean(JdbcTemplate.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public <T> T bean(String name, Class<T> type) {
        return context.getBean(name, type);
    }

    public <T> Map<String, T> beans(Class<T> type) {
        return context.getBeansOfType(type);
    }

    @Override
    public void close() {
        context.close();
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
