package com.catalytic.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.deploy.support.Processes.Finished;
import com.catalytic.deploy.support.Processes;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.credentials.JwtKeys;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProductionConfigTest {

    @TempDir
    Path dir;

    private Map<String, String> goodProduction() throws Exception {
        Path priv = dir.resolve("priv.pem");
        Path pub = dir.resolve("pub.pem");
        if (!Files.exists(priv)) {
            KeyPair pair = JwtKeys.generate();
            JwtKeys.writePem(priv, "PRIVATE KEY", pair.getPrivate().getEncoded(), true);
            JwtKeys.writePem(pub, "PUBLIC KEY", pair.getPublic().getEncoded(), false);
            // as keys generate writes it, beside the JWT pair
            TestApp.writeDatabaseKey(dir.resolve("db_encryption_production.key"));
        }
        Map<String, String> env = new HashMap<>();
        env.put("APP_ENV", "production");
        env.put("DATABASE_URL", "postgresql://app:s3cret@db.internal:5432/catalytic");
        env.put("JWT_PRIVATE_KEY_PATH", priv.toString());
        env.put("JWT_PUBLIC_KEY_PATH", pub.toString());
        env.put("REDIS_HOST", "redis.internal");
        env.put("REDIS_PASSWORD", "r3dis-password-of-the-deployment");
        env.put("SENDGRID_API_KEY", "SG.abcdefghijklmnop.qrstuvwxyz0123456789");
        env.put("CORS_ALLOWED_ORIGINS", "https://app.example.com");
        env.put("SESSION_SECRET_KEY", "a".repeat(20) + "b".repeat(20));
        env.put("CSRF_SECRET_KEY", "c".repeat(20) + "d".repeat(20));
        env.put("FRONTEND_URL", "https://app.example.com");
        env.put("BACKEND_URL", "https://api.example.com");
        env.put("DEBUG", "false");
        return env;
    }

    @Test
    void aCompleteProductionConfigurationPasses() throws Exception {
        assertThat(ProductionConfigCheck.problems(goodProduction())).isEmpty();
    }

    @Test
    void theDatabaseEncryptionKeyMustBeThereAndHold32Bytes() throws Exception {
        Map<String, String> env = goodProduction();
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        Files.delete(dir.resolve("db_encryption_production.key"));
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("DB_ENCRYPTION_KEY_PATH").contains("db_encryption_production.key").contains("keys generate");
        Path shortKey = Files.writeString(dir.resolve("short.key"), Base64.getEncoder().encodeToString(new byte[16]));
        env.put("DB_ENCRYPTION_KEY_PATH", shortKey.toString());
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString().contains("holds 16 bytes, not 32");
    }

    @Test
    void keysThatAreNotAPairAreRefused() throws Exception {
        Map<String, String> env = goodProduction();
        Path otherPub = dir.resolve("other.pem");
        JwtKeys.writePem(otherPub, "PUBLIC KEY", JwtKeys.generate().getPublic().getEncoded(), false);
        env.put("JWT_PUBLIC_KEY_PATH", otherPub.toString());
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString().contains("not a pair");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key");
        env.put("JWT_PUBLIC_KEY_PATH", garbage.toString());
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString().startsWith("JWT_PRIVATE_KEY_PATH");
    }

    @Test
    void verifyOnlyKeysMustBeReadablePublicKeys() throws Exception {
        Map<String, String> env = goodProduction();
        Path previous = dir.resolve("previous.pem");
        JwtKeys.writePem(previous, "PUBLIC KEY", JwtKeys.generate().getPublic().getEncoded(), false);
        env.put("JWT_VERIFY_ONLY_PUBLIC_KEY_PATHS", previous + ", ");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        env.put("JWT_VERIFY_ONLY_PUBLIC_KEY_PATHS", previous + "," + dir.resolve("missing.pem"));
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("JWT_VERIFY_ONLY_PUBLIC_KEY_PATHS names").contains("missing.pem");
        env.put("JWT_VERIFY_ONLY_PUBLIC_KEY_PATHS", Files.writeString(dir.resolve("junk.pem"), "junk").toString());
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("JWT_VERIFY_ONLY_PUBLIC_KEY_PATHS: key file");
    }

    @Test
    void billingIsOptionalButNeverHalfConfigured() throws Exception {
        Map<String, String> env = goodProduction();
        env.put("STRIPE_SECRET_KEY", "sk_live_placeholder"); // the example file's placeholders: billing off
        env.put("STRIPE_WEBHOOK_SECRET", "whsec_placeholder");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        env.put("STRIPE_SECRET_KEY", "sk_live_51abc");
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set");
        env.put("STRIPE_WEBHOOK_SECRET", "sk_live_51abc");
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret");
        env.put("STRIPE_WEBHOOK_SECRET", "whsec_0123456789");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
    }

    @Test
    void metricsNeverShareTheApiPort() throws Exception {
        Map<String, String> env = goodProduction();
        env.put("MANAGEMENT_PORT", "8000"); // PORT's default
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("MANAGEMENT_PORT must differ from PORT (8000)");
        env.remove("MANAGEMENT_PORT");
        env.put("PORT", "9464"); // MANAGEMENT_PORT's default
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("MANAGEMENT_PORT must differ from PORT (9464)");
        env.put("PORT", "8001");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        env.put("MANAGEMENT_PORT", "9465");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        env.put("MANAGEMENT_PORT", "metrics");
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("MANAGEMENT_PORT must be a port number");
    }

    @Test
    void developmentIsNeverRefused() {
        assertThat(ProductionConfigCheck.problems(Map.of())).isEmpty();
    }

    @Test
    void eachUnsafeValueIsNamed() throws Exception {
        Map<String, String> env = goodProduction();
        env.remove("JWT_PRIVATE_KEY_PATH");
        env.put("DEBUG", "true");
        env.put("CORS_ALLOWED_ORIGINS", "*");
        env.put("SESSION_SECRET_KEY", "changeme");
        env.remove("REDIS_HOST");
        List<String> problems = ProductionConfigCheck.problems(env);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("JWT_PRIVATE_KEY_PATH"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("DEBUG"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("CORS_ALLOWED_ORIGINS"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("SESSION_SECRET_KEY"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("REDIS_HOST"));
        assertThat(problems).noneSatisfy(p -> assertThat(p).startsWith("DATABASE_URL"));
    }

    @Test
    void databaseUrlInLibpqFormBecomesJdbc() {
        DatabaseUrl db = DatabaseUrl.parse("postgresql://app%40corp:p%3Ass@db.internal/catalytic?sslmode=require");
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/catalytic?sslmode=require");
        assertThat(db.username()).isEqualTo("app@corp");
        assertThat(db.password()).isEqualTo("p:ss");
        assertThat(db.toString()).doesNotContain("p:ss");
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://x/y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://host-only")).isInstanceOf(IllegalArgumentException.class);
    }

    /** The real executable, in its own process: exits non-zero and names the missing variable. */
    @Test
    void productionWithoutAPrivateKeyExitsNamingTheVariable() throws Exception {
        Map<String, String> env = goodProduction();
        env.remove("JWT_PRIVATE_KEY_PATH");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CatalyticMain.class.getName(), "serve");
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin"));
        File err = dir.resolve("stderr.txt").toFile();
        pb.redirectError(err).redirectOutput(dir.resolve("stdout.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("process ends by itself").isTrue();
        String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isNotZero();
        assertThat(stderr).contains("JWT_PRIVATE_KEY_PATH");
    }

    @Test
    void privateWebhookTargetsInProductionNeedAnAcknowledgement() throws Exception {
        Map<String, String> env = goodProduction();
        env.put("WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true");
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("WEBHOOKS_ALLOW_PRIVATE_TARGETS=true");
        env.put("WEBHOOKS_ALLOW_PRIVATE_TARGETS_ACKNOWLEDGED", "true");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        env.put("WEBHOOKS_ALLOW_PRIVATE_TARGETS", "false");
        env.remove("WEBHOOKS_ALLOW_PRIVATE_TARGETS_ACKNOWLEDGED");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
    }

    @Test
    void logLevelTakesTheGuidesNamesAndRefusesOthersInEveryMode() throws Exception {
        Map<String, String> env = goodProduction();
        for (String level : List.of("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "warn", "trace", "Off")) {
            env.put("LOG_LEVEL", level);
            assertThat(ProductionConfigCheck.problems(env)).as(level).isEmpty();
        }
        assertThat(ProductionConfigCheck.logLevel("WARNING")).isEqualTo("WARN");
        assertThat(ProductionConfigCheck.logLevel("CRITICAL")).isEqualTo("ERROR");
        assertThat(ProductionConfigCheck.logLevel(null)).isEqualTo("INFO");
        env.put("LOG_LEVEL", "LOUD");
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("LOG_LEVEL LOUD is not a level");
        assertThat(ProductionConfigCheck.problems(Map.of("LOG_LEVEL", "LOUD"))).singleElement().asString()
                .startsWith("LOG_LEVEL LOUD is not a level");
        assertThat(ProductionConfigCheck.problems(Map.of("LOG_LEVEL", "WARNING"))).isEmpty();
    }

    @Test
    void redisOffTheMachineNeedsAPassword() throws Exception {
        Map<String, String> env = goodProduction();
        env.put("REDIS_PASSWORD", "");
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("REDIS_PASSWORD is required when Redis is not on this machine (REDIS_HOST=redis.internal)");
        for (String loopback : List.of("127.0.0.1", "localhost", "::1")) {
            env.put("REDIS_HOST", loopback);
            assertThat(ProductionConfigCheck.problems(env)).as(loopback).isEmpty();
        }
        env.put("REDIS_HOST", "10.0.0.5");
        env.put("REDIS_PASSWORD", "r3dis-password-of-the-deployment");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
    }

    @Test
    void testModeStripeKeysAreRefusedInProduction() throws Exception {
        Map<String, String> env = goodProduction();
        env.put("STRIPE_SECRET_KEY", "sk_test_51abcdef");
        env.put("STRIPE_WEBHOOK_SECRET", "whsec_0123456789");
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("STRIPE_SECRET_KEY is a test-mode key (sk_test_…)").doesNotContain("51abcdef");
        env.put("STRIPE_SECRET_KEY", "sk_live_51abcdef");
        env.put("STRIPE_PUBLISHABLE_KEY", "pk_test_51abcdef");
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("STRIPE_PUBLISHABLE_KEY is a test-mode key (pk_test_…)");
        env.put("STRIPE_PUBLISHABLE_KEY", "pk_live_51abcdef");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        env.put("APP_ENV", "staging");
        env.put("STRIPE_SECRET_KEY", "sk_test_51abcdef");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
    }

    @Test
    void productionNeedsAnEmailTransport() throws Exception {
        Map<String, String> env = goodProduction();
        env.put("SENDGRID_API_KEY", "SG.placeholder"); // the example file's placeholder counts as unset
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("no e-mail transport: set SENDGRID_API_KEY or SMTP_HOST");
        env.put("SMTP_HOST", "smtp.example.com");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        env.put("SMTP_PORT", "submission");
        assertThat(ProductionConfigCheck.problems(env)).singleElement().asString()
                .startsWith("SMTP_PORT must be a port number");
    }

    @Test
    void configCheckTreatsEveryEnvironmentAsProduction() throws Exception {
        Map<String, String> env = goodProduction();
        assertThat(ProductionConfigCheck.checkAsProduction(env)).isEmpty();
        env.remove("APP_ENV");
        assertThat(ProductionConfigCheck.checkAsProduction(env)).singleElement().asString()
                .startsWith("APP_ENV is not set");
        env.put("APP_ENV", "development");
        env.put("DEBUG", "true");
        assertThat(ProductionConfigCheck.checkAsProduction(env))
                .anySatisfy(p -> assertThat(p).startsWith("APP_ENV is development, not production"))
                .anySatisfy(p -> assertThat(p).startsWith("DEBUG must not be true"))
                .hasSize(2);
    }

    @Test
    void envFilesAreReadAsSystemdAndTheLauncherReadThem() throws Exception {
        Path file = Files.writeString(dir.resolve(".env"), String.join("\n",
                "# comment", "", "APP_ENV=production", "export LOG_LEVEL=WARNING", "QUOTED=\"a b # c\"",
                "SINGLE='x=y'", "TRAILING=value # a comment", "EMPTY=", "not a setting", "OPEN=\"never closed"));
        EnvFile env = EnvFile.read(file);
        assertThat(env.values()).containsExactly(Map.entry("APP_ENV", "production"),
                Map.entry("LOG_LEVEL", "WARNING"), Map.entry("QUOTED", "a b # c"), Map.entry("SINGLE", "x=y"),
                Map.entry("TRAILING", "value"), Map.entry("EMPTY", ""));
        assertThat(env.problems()).containsExactly(file + " line 9: not KEY=VALUE",
                file + " line 10: OPEN's value opens a quote it never closes");
    }

    /**
     * The example environment file as an operator fills it in (every placeholder replaced, the guide's
     * {@code LOG_LEVEL=WARNING}) passes {@code catalytic config check}, run as the executable; each unsafe variant
     * fails with exit 78 and its message (the command run in this JVM).
     */
    @Test
    void theFilledInExampleFilePassesConfigCheckAndUnsafeVariantsFail() throws Exception {
        Map<String, String> good = goodProduction();
        String example = Files.readString(Path.of("env.production.example"));
        String filled = example
                .replace("/etc/catalytic/keys/jwt_production_private.pem", good.get("JWT_PRIVATE_KEY_PATH"))
                .replace("/etc/catalytic/keys/jwt_production_public.pem", good.get("JWT_PUBLIC_KEY_PATH"))
                .replace("CHANGE_ME_database_password", "s3cret")
                .replace("SESSION_SECRET_KEY=change-me-run-openssl-rand-hex-32", "SESSION_SECRET_KEY=" + "e".repeat(64))
                .replace("CSRF_SECRET_KEY=change-me-run-openssl-rand-hex-32", "CSRF_SECRET_KEY=" + "f".repeat(64))
                .replace("SENDGRID_API_KEY=SG.placeholder", "SENDGRID_API_KEY=SG.abcdefghijklmnop.qrstuvwxyz")
                .replaceAll("(?m)^LOG_LEVEL=.*$", "LOG_LEVEL=WARNING");
        assertThat(filled).contains("LOG_LEVEL=WARNING").doesNotContain("change-me").doesNotContain("CHANGE_ME");
        Path file = Files.writeString(dir.resolve(".env.production"), filled);
        Finished ok = configCheck(file);
        assertThat(ok.exit()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("configuration OK");

        Map<String, String> variants = Map.of(
                "LOG_LEVEL=WARNING", "LOG_LEVEL=LOUD",
                "STRIPE_SECRET_KEY=sk_live_placeholder", "STRIPE_SECRET_KEY=sk_test_51abc\nSTRIPE_WEBHOOK_SECRET=whsec_1",
                "APP_ENV=production", "APP_ENV=",
                "SENDGRID_API_KEY=SG.abcdefghijklmnop.qrstuvwxyz", "SENDGRID_API_KEY=",
                "REDIS_HOST=127.0.0.1", "REDIS_HOST=redis.internal");
        Map<String, String> expected = Map.of(
                "LOG_LEVEL=LOUD", "LOG_LEVEL LOUD is not a level",
                "STRIPE_SECRET_KEY=sk_test_51abc\nSTRIPE_WEBHOOK_SECRET=whsec_1", "STRIPE_SECRET_KEY is a test-mode key",
                "APP_ENV=", "APP_ENV is not set",
                "SENDGRID_API_KEY=", "no e-mail transport",
                "REDIS_HOST=redis.internal", "REDIS_PASSWORD is required");
        for (Map.Entry<String, String> v : variants.entrySet()) {
            assertThat(filled).contains(v.getKey());
            Path bad = Files.writeString(dir.resolve("bad.env"), filled.replace(v.getKey(), v.getValue()));
            Finished run = configCheckInProcess(bad);
            assertThat(run.exit()).as(v.getValue()).isEqualTo(78);
            assertThat(run.output()).as(v.getValue()).contains(expected.get(v.getValue()));
        }
    }

    /** The guide's LOG_LEVEL=WARNING used to stop the service at start: it now starts (embedded, in its own JVM). */
    @Test
    void theServiceStartsWithTheGuidesLogLevel() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CatalyticMain.class.getName(), "serve", "--server.port=0", "--management.server.port=0");
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin"));
        pb.environment().put("LOG_LEVEL", "WARNING");
        pb.environment().put("CATALYTIC_DATA_DIR", dir.resolve("data").toString());
        Path out = dir.resolve("serve.txt");
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        Process p = pb.start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> !p.isAlive()
                    || Files.readString(out).contains("catalytic: listening on"));
            String log = Files.readString(out);
            assertThat(log).as("started").contains("catalytic: listening on");
            // WARN is the root level: none of Spring's INFO start-up lines
            assertThat(log).doesNotContain(" INFO ").doesNotContain("Invalid");
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The same command in this JVM (the variants; the executable itself is run once, above). */
    private static Finished configCheckInProcess(Path envFile) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new CatalyticMain()).execute("config", "check", "--env-file",
                    envFile.toString());
            return new Finished(exit, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    private Finished configCheck(Path envFile) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return Processes.run(List.of(java, "-cp", System.getProperty("java.class.path"),
                CatalyticMain.class.getName(), "config", "check", "--env-file", envFile.toString()), dir, env -> {
                    env.clear();
                    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin"));
                }, Duration.ofMinutes(1));
    }

    @Test
    void sentryIsOptionalButItsSettingsMustBeValid() throws Exception {
        Map<String, String> env = goodProduction();
        env.put("SENTRY_DSN", "");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        env.put("SENTRY_DSN", "https://0123456789abcdef@o123.ingest.sentry.io/4504");
        env.put("SENTRY_TRACES_SAMPLE_RATE", "0.05");
        assertThat(ProductionConfigCheck.problems(env)).isEmpty();
        env.put("SENTRY_DSN", "sentry.example.com");
        env.put("SENTRY_TRACES_SAMPLE_RATE", "5%");
        assertThat(ProductionConfigCheck.problems(env))
                .anySatisfy(p -> assertThat(p).startsWith("SENTRY_DSN must be the DSN Sentry shows"))
                .anySatisfy(p -> assertThat(p).startsWith("SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1"))
                .hasSize(2);
    }
}
