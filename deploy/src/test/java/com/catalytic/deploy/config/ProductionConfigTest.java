package com.catalytic.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.deploy.CatalyticMain;
import com.catalytic.infrastructure.credentials.JwtKeys;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        }
        Map<String, String> env = new HashMap<>();
        env.put("APP_ENV", "production");
        env.put("DATABASE_URL", "postgresql://app:s3cret@db.internal:5432/catalytic");
        env.put("JWT_PRIVATE_KEY_PATH", priv.toString());
        env.put("JWT_PUBLIC_KEY_PATH", pub.toString());
        env.put("REDIS_HOST", "redis.internal");
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
}
