package com.catalytic.infrastructure.credentials;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of authentication; bound from {@code catalytic.auth.*} (see application.yml for the env variables). */
@ConfigurationProperties("catalytic.auth")
public record AuthProperties(String privateKeyPath, String publicKeyPath, String keyDir, String issuer, String audience,
                             Duration accessTokenTtl, Duration refreshTokenTtl, int maxFailuresPerAccountAndIp,
                             int maxFailuresPerAccount,
                             int maxFailuresPerIp, Duration failureWindow, int maxRegistrationsPerIp,
                             Duration registrationWindow, List<String> verifyOnlyPublicKeyPaths,
                             Duration refreshTokenMaxLifetime, int maxRefreshesPerSession, int maxRefreshesPerIp,
                             Duration refreshWindow, int maxFailedKeysPerIp, Duration failedKeyWindow) {

    public AuthProperties {
        issuer = issuer == null || issuer.isBlank() ? "catalytic" : issuer;
        audience = audience == null || audience.isBlank() ? "catalytic-api" : audience;
        accessTokenTtl = accessTokenTtl == null ? Duration.ofMinutes(15) : accessTokenTtl;
        refreshTokenTtl = refreshTokenTtl == null ? Duration.ofDays(30) : refreshTokenTtl;
        maxFailuresPerAccountAndIp = maxFailuresPerAccountAndIp <= 0 ? 5 : maxFailuresPerAccountAndIp;
        maxFailuresPerAccount = maxFailuresPerAccount <= 0 ? 25 : maxFailuresPerAccount;
        maxFailuresPerIp = maxFailuresPerIp <= 0 ? 50 : maxFailuresPerIp;
        failureWindow = failureWindow == null ? Duration.ofMinutes(15) : failureWindow;
        maxRegistrationsPerIp = maxRegistrationsPerIp <= 0 ? 20 : maxRegistrationsPerIp;
        registrationWindow = registrationWindow == null ? Duration.ofHours(1) : registrationWindow;
        keyDir = keyDir == null || keyDir.isBlank() ? "./data/keys" : keyDir;
        verifyOnlyPublicKeyPaths = verifyOnlyPublicKeyPaths == null ? List.of()
                : verifyOnlyPublicKeyPaths.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
        refreshTokenMaxLifetime = refreshTokenMaxLifetime == null ? Duration.ofDays(90) : refreshTokenMaxLifetime;
        maxRefreshesPerSession = maxRefreshesPerSession <= 0 ? 10 : maxRefreshesPerSession;
        maxRefreshesPerIp = maxRefreshesPerIp <= 0 ? 600 : maxRefreshesPerIp;
        refreshWindow = refreshWindow == null ? Duration.ofMinutes(10) : refreshWindow;
        maxFailedKeysPerIp = maxFailedKeysPerIp <= 0 ? 30 : maxFailedKeysPerIp;
        failedKeyWindow = failedKeyWindow == null ? Duration.ofMinutes(1) : failedKeyWindow;
    }
}
