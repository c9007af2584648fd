package com.catalytic.command.webhook.delivery;

import com.catalytic.command.webhook.DeliverySchedule;
import com.catalytic.infrastructure.node.NodeRoles;
import com.catalytic.infrastructure.node.NodeRoles.Role;
import com.catalytic.infrastructure.webhook.WebhookSecrets;
import com.catalytic.infrastructure.webhook.WebhookSender;
import com.catalytic.infrastructure.webhook.WebhookTargets;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

@Configuration
class WebhookDeliveryConfiguration {

    @Bean(destroyMethod = "close")
    WebhookSender webhookSender(@Value("${catalytic.webhooks.timeout:15s}") Duration timeout) {
        return new WebhookSender(timeout);
    }

    @Bean(destroyMethod = "close")
    WebhookDeliveries webhookDeliveries(JdbcTemplate jdbc, PlatformTransactionManager transactions,
                                        QueryGateway queries, WebhookSecrets secrets, WebhookTargets targets,
                                        WebhookSender sender, Clock clock, MeterRegistry meters,
                                        CommandGateway commands, NodeRoles roles,
                                        @Value("${catalytic.webhooks.failure-window:5d}") Duration failureWindow,
                                        @Value("${catalytic.webhooks.dispatch-interval:1s}") Duration interval,
                                        @Value("${catalytic.webhooks.workers:8}") int workers,
                                        @Value("${catalytic.webhooks.retention:30d}") Duration retention) {
        WebhookDeliveries deliveries = new WebhookDeliveries(jdbc, transactions, queries, secrets, targets, sender,
                new DeliverySchedule(() -> ThreadLocalRandom.current().nextDouble()), clock, meters, commands,
                new WebhookDeliveries.Settings(failureWindow,
                        // every node lists deliveries and queues test ones; only a dispatcher attempts them
                        roles.has(Role.DISPATCHERS) ? interval : Duration.ZERO, workers, retention));
        Gauge.builder("catalytic.webhooks.queue.depth", deliveries, WebhookDeliveries::due)
                .description("webhook deliveries due now and not yet attempted").register(meters);
        return deliveries;
    }
}
