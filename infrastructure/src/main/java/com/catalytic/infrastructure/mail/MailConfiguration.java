package com.catalytic.infrastructure.mail;

import com.catalytic.infrastructure.node.NodeRoles;
import com.catalytic.infrastructure.node.NodeRoles.Role;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration
class MailConfiguration {

    /**
     * Messages are queued in the database and delivered in the background, with retries, through SendGrid, SMTP or
     * the local outbox, as the settings say ({@link EmailSenders}). Every node queues; only a dispatcher delivers.
     */
    @Bean
    @ConditionalOnMissingBean(EmailSender.class)
    QueuedEmailSender emailSender(Environment env, Clock clock, JdbcTemplate jdbc, MeterRegistry meters,
                                  NodeRoles roles,
                                  @Value("${catalytic.mail.max-attempts:10}") int maxAttempts,
                                  @Value("${catalytic.mail.dispatch-interval:1s}") Duration interval,
                                  @Value("${catalytic.mail.retention:30d}") Duration retention,
                                  @Value("${catalytic.mail.outbox-retention:7d}") Duration outboxRetention) {
        EmailSenders.Choice choice = EmailSenders.fromSettings(env::getProperty, clock);
        LoggerFactory.getLogger(MailConfiguration.class).info("E-mail goes to {}", choice.description());
        QueuedEmailSender sender = new QueuedEmailSender(jdbc, choice.sender(), clock, maxAttempts,
                roles.has(Role.DISPATCHERS) ? interval : Duration.ZERO,
                retention, outboxRetention);
        Gauge.builder("catalytic.mail.queue.depth", sender, QueuedEmailSender::due)
                .description("e-mails due now and not yet sent").register(meters);
        return sender;
    }
}
