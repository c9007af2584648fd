package com.catalytic.infrastructure.credentials;

import com.catalytic.api.apikey.ApiKeyUsageSink;
import com.catalytic.infrastructure.store.KeyValueStore;
import com.nimbusds.jose.jwk.RSAKey;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/** The credential machinery: signing keys, tokens, password hashing, throttles, the credential cache, revocations. */
@EnableConfigurationProperties(AuthProperties.class)
@Configuration
class CredentialsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(CredentialsConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Argon2id (memory-hard, 16 MiB a hash) at Spring Security's current recommended parameters, at most
     * {@code max-concurrent} at once (default: one per processor); the one encoder of aggregates and services.
     * Bcrypt hashes imported from the original service still verify and are upgraded at the next login.
     */
    @Bean
    PasswordHasher passwordEncoder(@Value("${catalytic.auth.password-hashing.max-concurrent:0}") int maxConcurrent,
                                   @Value("${catalytic.auth.password-hashing.max-wait:2s}") Duration maxWait,
                                   MeterRegistry meters) {
        int permits = maxConcurrent > 0 ? maxConcurrent : Runtime.getRuntime().availableProcessors();
        return new PasswordHasher(new LegacyAwarePasswordEncoder(Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8()),
                permits, maxWait)
                .bindTo(meters);
    }

    @Bean
    JwtKeys jwtKeys(AuthProperties props) {
        boolean configured = props.privateKeyPath() != null && !props.privateKeyPath().isBlank();
        JwtKeys signing;
        if (configured) {
            signing = JwtKeys.load(Path.of(props.privateKeyPath()), Path.of(props.publicKeyPath()));
        } else {
            Path dir = Path.of(props.keyDir());
            log.info("JWT_PRIVATE_KEY_PATH is not set: using development keys in {}", dir.toAbsolutePath().normalize());
            signing = JwtKeys.loadOrGenerate(dir.resolve("jwt_dev_private.pem"), dir.resolve("jwt_dev_public.pem"));
        }
        JwtKeys keys = signing.withVerifyOnly(props.verifyOnlyPublicKeyPaths().stream().map(Path::of).toList());
        if (!props.verifyOnlyPublicKeyPaths().isEmpty()) {
            log.info("JWT keys: signing with {}, also accepting {}", keys.keyId(),
                    keys.publicJwks().stream().map(RSAKey::getKeyID).filter(k -> !k.equals(keys.keyId())).toList());
        }
        return keys;
    }

    @Bean
    RefreshTokens refreshTokens(@Value("${SESSION_SECRET_KEY:}") String sessionSecret, AuthProperties props) {
        return new RefreshTokens(sessionSecret, Path.of(props.keyDir()));
    }

    @Bean
    TokenService tokenService(JwtKeys keys, AuthProperties props, Clock clock) {
        return new TokenService(keys, props, clock);
    }

    @Bean
    RevocationRegistry revocationRegistry(KeyValueStore store, QueryGateway queries, AuthProperties props, Clock clock) {
        return new RevocationRegistry(store, queries, props.accessTokenTtl(), clock);
    }

    @Bean
    LoginThrottle loginThrottle(KeyValueStore store, AuthProperties props, Clock clock,
                                @Value("${catalytic.auth.known-address-ttl:30d}") Duration knownAddressTtl) {
        return new LoginThrottle(store, props, knownAddressTtl, clock);
    }

    @Bean
    CredentialCache credentialCache(QueryGateway queries, Clock clock,
                                    @Value("${catalytic.auth.credential-cache-max-age:60s}") Duration maxAge) {
        return new CredentialCache(queries, clock, maxAge);
    }

    @Bean
    AccessChangePoller accessChangePoller(QueryGateway queries, CredentialCache cache, RevocationRegistry revocations,
                                          AuthProperties props, Clock clock) {
        return new AccessChangePoller(queries, cache, revocations, props.accessTokenTtl().plusMinutes(1), clock);
    }

    @Bean
    AccessTokenAuthenticator accessTokenAuthenticator(TokenService tokens, RevocationRegistry revocations,
                                                      CredentialCache cache) {
        return new AccessTokenAuthenticator(tokens, revocations, cache);
    }

    @Bean
    ApiKeyUsageTracker apiKeyUsageTracker(ApiKeyUsageSink sink) {
        return new ApiKeyUsageTracker(sink);
    }

    @Bean
    ApiKeyAuthenticator apiKeyAuthenticator(CredentialCache cache, ApiKeyUsageTracker usage, LoginThrottle throttle,
                                            Clock clock) {
        return new ApiKeyAuthenticator(cache, usage, throttle, clock);
    }
}
