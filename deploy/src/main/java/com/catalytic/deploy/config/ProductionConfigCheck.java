package com.catalytic.deploy.config;

import com.catalytic.infrastructure.config.ConfiguredValues;
import com.catalytic.infrastructure.credentials.JwtKeys;
import com.catalytic.infrastructure.personal.PersonalDataConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * With {@code APP_ENV=production} the service refuses to start on a missing or unsafe setting, naming each one;
 * {@code catalytic config check} runs the same checks on an environment file without starting anything.
 */
public final class ProductionConfigCheck {

    /**
     * The levels {@code LOG_LEVEL} accepts, as the deployment guide writes them (Python's names) or as Spring Boot
     * does, and the Spring Boot level each one means.
     */
    private static final Map<String, String> LOG_LEVELS = Map.of(
            "TRACE", "TRACE", "DEBUG", "DEBUG", "INFO", "INFO", "WARNING", "WARN", "WARN", "WARN",
            "ERROR", "ERROR", "CRITICAL", "ERROR", "FATAL", "ERROR", "OFF", "OFF");

    private ProductionConfigCheck() {
    }

    public static boolean isProduction(Map<String, String> env) {
        return "production".equalsIgnoreCase(env.getOrDefault("APP_ENV", "").trim());
    }

    /**
     * The Spring Boot level {@code LOG_LEVEL} names (INFO when unset), or null when it names none: DEBUG, INFO,
     * WARNING, ERROR and CRITICAL as the guide writes them; TRACE, WARN, FATAL and OFF too; any case.
     */
    public static String logLevel(String value) {
        if (value == null || value.isBlank()) {
            return "INFO";
        }
        return LOG_LEVELS.get(value.trim().toUpperCase(Locale.ROOT));
    }

    /**
     * What {@code catalytic config check} reports: the environment is checked as production whatever its
     * {@code APP_ENV} says, and an {@code APP_ENV} other than production is a problem of its own (the service
     * would start without any of these checks).
     */
    public static List<String> checkAsProduction(Map<String, String> env) {
        List<String> out = new ArrayList<>();
        String appEnv = env.getOrDefault("APP_ENV", "").trim();
        if (appEnv.isEmpty()) {
            out.add("APP_ENV is not set: the service would start in development mode, without these checks "
                    + "(set APP_ENV=production)");
        } else if (!isProduction(env)) {
            out.add("APP_ENV is " + appEnv + ", not production: the service would start without these checks");
        }
        Map<String, String> production = new HashMap<>(env);
        production.put("APP_ENV", "production");
        out.addAll(problems(production));
        return out;
    }

    /**
     * One message per problem; empty when the configuration is acceptable. Outside production only what would
     * stop the service anyway is checked ({@code LOG_LEVEL}).
     */
    public static List<String> problems(Map<String, String> env) {
        List<String> out = new ArrayList<>();
        String level = env.get("LOG_LEVEL");
        if (logLevel(level) == null) {
            out.add("LOG_LEVEL " + level.trim() + " is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL");
        }
        if (!isProduction(env)) {
            return out;
        }
        String db = env.getOrDefault("DATABASE_URL", "");
        if (db.isBlank()) {
            out.add("DATABASE_URL is required in production (postgresql://user:password@host:5432/database)");
        } else {
            try {
                DatabaseUrl.parse(db);
            } catch (IllegalArgumentException e) {
                out.add("DATABASE_URL is invalid: " + e.getMessage());
            }
        }
        boolean priv = keyFile(env, "JWT_PRIVATE_KEY_PATH", out);
        boolean pub = keyFile(env, "JWT_PUBLIC_KEY_PATH", out);
        if (priv && pub) {
            try {
                JwtKeys.load(Path.of(env.get("JWT_PRIVATE_KEY_PATH")), Path.of(env.get("JWT_PUBLIC_KEY_PATH")));
            } catch (RuntimeException e) {
                out.add("JWT_PRIVATE_KEY_PATH / JWT_PUBLIC_KEY_PATH: " + e.getMessage());
            }
        }
        if (priv || !env.getOrDefault("DB_ENCRYPTION_KEY_PATH", "").isBlank()) {
            Path dbKey = PersonalDataConfiguration.keyFile(env.get("DB_ENCRYPTION_KEY_PATH"),
                    env.get("JWT_PRIVATE_KEY_PATH"), env.get("APP_ENV"), null);
            try {
                PersonalDataConfiguration.readKey(dbKey);
            } catch (IllegalStateException e) {
                out.add("DB_ENCRYPTION_KEY_PATH: " + e.getMessage());
            }
        }
        for (String extra : env.getOrDefault("JWT_VERIFY_ONLY_PUBLIC_KEY_PATHS", "").split(",")) {
            if (extra.isBlank()) {
                continue;
            }
            if (!Files.isReadable(Path.of(extra.trim()))) {
                out.add("JWT_VERIFY_ONLY_PUBLIC_KEY_PATHS names " + extra.trim()
                        + ", which does not exist or is not readable");
                continue;
            }
            try {
                JwtKeys.loadPublic(Path.of(extra.trim()));
            } catch (RuntimeException e) {
                out.add("JWT_VERIFY_ONLY_PUBLIC_KEY_PATHS: " + e.getMessage());
            }
        }
        String redisHost = env.getOrDefault("REDIS_HOST", "").trim();
        if (redisHost.isEmpty()) {
            out.add("REDIS_HOST is required in production (rate limits and revocations are shared through Redis)");
        } else if (!isLoopback(redisHost) && env.getOrDefault("REDIS_PASSWORD", "").isBlank()) {
            out.add("REDIS_PASSWORD is required when Redis is not on this machine (REDIS_HOST=" + redisHost
                    + "): set requirepass on the Redis server and its password here");
        }
        String port = env.getOrDefault("REDIS_PORT", "");
        if (!port.isBlank() && !port.matches("\\d{1,5}")) {
            out.add("REDIS_PORT must be a port number");
        }
        String apiPort = env.getOrDefault("PORT", "").isBlank() ? "8000" : env.get("PORT").trim();
        String managementPort = env.getOrDefault("MANAGEMENT_PORT", "").isBlank() ? "9464"
                : env.get("MANAGEMENT_PORT").trim();
        if (!managementPort.matches("-?\\d{1,5}")) {
            out.add("MANAGEMENT_PORT must be a port number");
        } else if (apiPort.matches("\\d{1,5}") && Integer.parseInt(managementPort) == Integer.parseInt(apiPort)) {
            // Spring would then serve the metrics on the API port, to whoever reaches it
            out.add("MANAGEMENT_PORT must differ from PORT (" + apiPort + "): metrics are not for the API's clients");
        }
        if ("true".equalsIgnoreCase(env.getOrDefault("DEBUG", "").trim())) {
            out.add("DEBUG must not be true in production");
        }
        String cors = env.getOrDefault("CORS_ALLOWED_ORIGINS", "");
        if (cors.contains("*")) {
            out.add("CORS_ALLOWED_ORIGINS must list explicit origins in production, not '*'");
        } else {
            for (String origin : cors.split(",")) {
                String o = origin.trim();
                if (!o.isEmpty() && !o.startsWith("https://")) {
                    out.add("CORS_ALLOWED_ORIGINS entry '" + o + "' must use https in production");
                }
            }
        }
        secret(env, "SESSION_SECRET_KEY", out);
        secret(env, "CSRF_SECRET_KEY", out);
        for (String url : List.of("FRONTEND_URL", "BACKEND_URL")) {
            String v = env.getOrDefault(url, "");
            if (v.isBlank()) {
                out.add(url + " is required in production");
            } else if (!v.startsWith("https://")) {
                out.add(url + " must be an https:// URL in production");
            }
        }
        // billing is optional, but half of it would take customers' money without ever applying the payments
        boolean stripeKey = ConfiguredValues.isSet(env.get("STRIPE_SECRET_KEY"));
        boolean webhookSecret = ConfiguredValues.isSet(env.get("STRIPE_WEBHOOK_SECRET"));
        if (stripeKey && !webhookSecret) {
            out.add("STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set (without it no payment would "
                    + "ever reach the tenants)");
        }
        if (webhookSecret && !env.get("STRIPE_WEBHOOK_SECRET").trim().startsWith("whsec_")) {
            out.add("STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_…)");
        }
        for (String name : List.of("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY")) {
            String key = env.getOrDefault(name, "").trim();
            if (ConfiguredValues.isSet(key) && key.matches("(sk|rk|pk)_test_.*")) {
                out.add(name + " is a test-mode key (" + key.substring(0, key.indexOf("_test_") + 6)
                        + "…) with APP_ENV=production: payments would never be real; use the live key");
            }
        }
        String sentry = env.getOrDefault("SENTRY_DSN", "").trim();
        if (!sentry.isEmpty() && !sentry.matches("https?://[^@/\\s]+@[^/\\s]+/.*\\d+/?")) {
            out.add("SENTRY_DSN must be the DSN Sentry shows for the project (https://KEY@HOST/PROJECT_ID), or empty");
        }
        String sampleRate = env.getOrDefault("SENTRY_TRACES_SAMPLE_RATE", "").trim();
        if (!sampleRate.isEmpty() && !sampleRate.matches("0(\\.\\d+)?|1(\\.0+)?")) {
            out.add("SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1");
        }
        boolean sendgrid = ConfiguredValues.isSet(env.get("SENDGRID_API_KEY"));
        boolean smtp = !env.getOrDefault("SMTP_HOST", "").isBlank();
        if (!sendgrid && !smtp) {
            out.add("no e-mail transport: set SENDGRID_API_KEY or SMTP_HOST (without either, password-reset and "
                    + "invitation links are written to files on the node instead of being sent)");
        }
        String smtpPort = env.getOrDefault("SMTP_PORT", "").trim();
        if (!sendgrid && smtp && !smtpPort.isEmpty() && !smtpPort.matches("\\d{1,5}")) {
            out.add("SMTP_PORT must be a port number");
        }
        if ("true".equalsIgnoreCase(env.getOrDefault("WEBHOOKS_ALLOW_PRIVATE_TARGETS", "").trim())
                && !"true".equalsIgnoreCase(env.getOrDefault("WEBHOOKS_ALLOW_PRIVATE_TARGETS_ACKNOWLEDGED", "").trim())) {
            out.add("WEBHOOKS_ALLOW_PRIVATE_TARGETS=true lets tenants' webhooks reach the internal network; set "
                    + "WEBHOOKS_ALLOW_PRIVATE_TARGETS_ACKNOWLEDGED=true if that is really wanted");
        }
        return out;
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    private static boolean keyFile(Map<String, String> env, String name, List<String> out) {
        String path = env.getOrDefault(name, "");
        if (path.isBlank()) {
            out.add(name + " is required in production (create keys with: catalytic keys generate production)");
            return false;
        }
        if (!Files.isReadable(Path.of(path))) {
            out.add(name + " points to " + path + ", which does not exist or is not readable");
            return false;
        }
        return true;
    }

    private static void secret(Map<String, String> env, String name, List<String> out) {
        String v = env.getOrDefault(name, "");
        if (v.isBlank()) {
            out.add(name + " is required in production");
        } else if (v.length() < 32 || v.toLowerCase().contains("change")) {
            out.add(name + " is unsafe: use at least 32 random characters (e.g. openssl rand -hex 32)");
        }
    }
}
