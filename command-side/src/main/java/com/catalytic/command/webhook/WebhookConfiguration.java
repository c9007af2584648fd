package com.catalytic.command.webhook;

import com.catalytic.infrastructure.webhook.WebhookTargets;
import java.net.InetAddress;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class WebhookConfiguration {

    /**
     * HTTPS only in production; the address rule lifted only by {@code catalytic.webhooks.allow-private-targets},
     * which production accepts only when acknowledged (however the setting was given).
     */
    @Bean
    WebhookTargets webhookTargets(@Value("${catalytic.webhooks.allow-private-targets:false}") boolean allowPrivate,
                                  @Value("${catalytic.webhooks.allow-private-targets-acknowledged:"
                                          + "${WEBHOOKS_ALLOW_PRIVATE_TARGETS_ACKNOWLEDGED:false}}") boolean acknowledged,
                                  @Value("${APP_ENV:development}") String appEnv) {
        boolean production = "production".equalsIgnoreCase(appEnv.trim());
        if (production && allowPrivate && !acknowledged) {
            throw new IllegalStateException("catalytic.webhooks.allow-private-targets=true in production lets "
                    + "tenants' webhooks reach the internal network; set WEBHOOKS_ALLOW_PRIVATE_TARGETS_ACKNOWLEDGED=true "
                    + "if that is really wanted");
        }
        return new WebhookTargets(allowPrivate, production, InetAddress::getAllByName);
    }
}
