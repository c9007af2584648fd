package com.catalytic.command.auth;

import com.catalytic.command.uniqueness.UniqueKeyRegistry;
import com.catalytic.infrastructure.credentials.AuthProperties;
import com.catalytic.infrastructure.credentials.LoginThrottle;
import com.catalytic.infrastructure.credentials.RefreshTokens;
import com.catalytic.infrastructure.credentials.RevocationRegistry;
import com.catalytic.infrastructure.credentials.TokenService;
import java.time.Clock;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.crypto.password.PasswordEncoder;

/** The sign-in service, and snapshots of long-lived sessions. */
@Configuration
class AuthConfiguration {

    /** Sessions are snapshotted every so many events: a long-lived session is not replayed from its first event. */
    @Bean
    SnapshotTriggerDefinition sessionSnapshotTrigger(
            Snapshotter snapshotter, @Value("${catalytic.auth.session-snapshot-threshold:100}") int threshold) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, threshold);
    }

    @Bean
    AuthService authService(CommandGateway commands, QueryGateway queries, UniqueKeyRegistry registry,
                            PasswordEncoder encoder, TokenService tokens, RefreshTokens refreshTokens,
                            RevocationRegistry revocations, LoginThrottle throttle, AuthProperties props, Clock clock) {
        return new AuthService(commands, queries, registry, encoder, tokens, refreshTokens, revocations, throttle, props,
                clock);
    }
}
