package com.catalytic.deploy.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TimeZone;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Translates the deployment guide's variables into Spring settings before anything starts. Without
 * {@code DATABASE_URL} the system runs on its embedded default: an H2 database file under the data directory
 * ({@code CATALYTIC_DATA_DIR}, default {@code ./data}) in PostgreSQL mode, running the same migrations.
 */
public class RuntimeEnvironment implements EnvironmentPostProcessor, Ordered {

    public static final String SOURCE = "catalyticRuntime";
    /** Every module's migrations; one global version sequence across them. */
    public static final String MIGRATION_LOCATIONS = "classpath:db/migration/eventstore,classpath:db/migration/projections";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        // the service lives in UTC: timestamps, database sessions and calendar-month quotas alike
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        Map<String, Object> props = new HashMap<>();
        String databaseUrl = env.getProperty("DATABASE_URL", "");
        if (env.containsProperty("spring.datasource.url")) {
            // explicitly configured (tests, advanced operators): leave it alone
        } else if (!databaseUrl.isBlank()) {
            DatabaseUrl db = DatabaseUrl.parse(databaseUrl);
            props.put("spring.datasource.url", db.jdbcUrl());
            if (db.username() != null) {
                props.put("spring.datasource.username", db.username());
            }
            if (db.password() != null) {
                props.put("spring.datasource.password", db.password());
            }
        } else {
            props.put("spring.datasource.url", embeddedUrl(dataDir(env)));
            props.put("spring.datasource.username", "sa");
            props.put("spring.datasource.password", "");
        }
        Object url = props.getOrDefault("spring.datasource.url", env.getProperty("spring.datasource.url", ""));
        String batching = "spring.datasource.hikari.data-source-properties.reWriteBatchedInserts";
        if (url.toString().startsWith("jdbc:postgresql:") && !env.containsProperty(batching)) {
            // JDBC batches of inserts (events, usage rows) go to PostgreSQL as multi-row statements
            props.put(batching, "true");
        }
        if (application.getWebApplicationType() == WebApplicationType.NONE
                && !env.containsProperty("catalytic.metering.journal")) {
            // operator commands serve no calls: they leave the node's usage journal (and its lock) to the service
            props.put("catalytic.metering.journal", "database");
        }
        if (application.getWebApplicationType() == WebApplicationType.NONE
                && !env.containsProperty("catalytic.mail.dispatch-interval")) {
            // nor do they deliver queued e-mail: a command that exits mid-delivery would leave a message claimed
            props.put("catalytic.mail.dispatch-interval", "0s");
        }
        if (!env.containsProperty("spring.flyway.locations")) {
            props.put("spring.flyway.locations", MIGRATION_LOCATIONS);
        }
        if (!env.containsProperty("catalytic.auth.key-dir")) {
            props.put("catalytic.auth.key-dir", dataDir(env).resolve("keys").toString());
        }
        if (env.getProperty("REDIS_HOST", "").isBlank()) {
            props.put("management.health.redis.enabled", "false");
            // the embedded default never connects; Spring's Redis client still wants a syntactically valid host
            props.put("spring.data.redis.host", "localhost");
        }
        if (!env.getProperty("AXON_SERVER_SERVERS", "").isBlank() && !env.containsProperty("AXON_SERVER_ENABLED")) {
            props.put("axon.axonserver.enabled", "true");
        }
        String logLevel = env.getProperty("LOG_LEVEL", "");
        if (!logLevel.isBlank()) {
            // the guide's names (WARNING, CRITICAL) are not Spring Boot's; an unknown one is refused by the start-up
            // check, and commands that run anyway log at INFO rather than fail on it
            String level = ProductionConfigCheck.logLevel(logLevel);
            props.put("logging.level.root", level != null ? level : "INFO");
        }
        sentry(env, props);
        if ("true".equalsIgnoreCase(env.getProperty("DEBUG", "").trim())) {
            props.put("logging.level.com.catalytic", "DEBUG");
        }
        env.getPropertySources().addFirst(new MapPropertySource(SOURCE, props));
    }

    /**
     * Error reporting to Sentry only when {@code SENTRY_DSN} is set (without {@code sentry.dsn} the starter
     * configures nothing and nothing is sent): errors logged at ERROR become events, WARN and above breadcrumbs;
     * no personal data by default, no request bodies, and {@link SentryConfiguration} scrubs what is left.
     */
    private static void sentry(ConfigurableEnvironment env, Map<String, Object> props) {
        String dsn = env.getProperty("SENTRY_DSN", "").trim();
        if (dsn.isEmpty() || env.containsProperty("sentry.dsn")) {
            return;
        }
        props.put("sentry.dsn", dsn);
        String environment = env.getProperty("SENTRY_ENVIRONMENT", "").trim();
        props.put("sentry.environment", !environment.isEmpty() ? environment
                : env.getProperty("APP_ENV", "").isBlank() ? "development" : env.getProperty("APP_ENV").trim());
        String rate = env.getProperty("SENTRY_TRACES_SAMPLE_RATE", "").trim();
        if (!rate.isEmpty()) {
            props.put("sentry.traces-sample-rate", rate);
        }
        props.put("sentry.send-default-pii", "false");
        props.put("sentry.max-request-body-size", "none");
        props.put("sentry.logging.minimum-event-level", "error");
        props.put("sentry.logging.minimum-breadcrumb-level", "warn");
        props.put("sentry.in-app-includes", "com.catalytic");
    }

    public static Path dataDir(ConfigurableEnvironment env) {
        return Path.of(env.getProperty("CATALYTIC_DATA_DIR", env.getProperty("catalytic.data-dir", "./data")));
    }

    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("catalytic")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE";
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
