package com.catalytic.command.infra.mail;

import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class MailConfiguration {

    @Bean
    @ConditionalOnMissingBean(EmailSender.class)
    EmailSender outboxEmailSender(@Value("${catalytic.mail.outbox-dir:${CATALYTIC_DATA_DIR:./data}/outbox}") String dir,
                                  @Value("${EMAIL_FROM:Catalytic <no-reply@localhost>}") String from, Clock clock) {
        LoggerFactory.getLogger(MailConfiguration.class).info("E-mail goes to the local outbox {}",
                Path.of(dir).toAbsolutePath().normalize());
        return new OutboxEmailSender(Path.of(dir), from, clock);
    }
}
