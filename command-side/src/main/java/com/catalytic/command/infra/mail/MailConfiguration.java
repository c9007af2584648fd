package com.catalytic.command.infra.mail;

import java.time.Clock;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration
public class MailConfiguration {

    /** SendGrid, SMTP or the local outbox, as the settings say ({@link EmailSenders}). */
    @Bean
    @ConditionalOnMissingBean(EmailSender.class)
    EmailSender emailSender(Environment env, Clock clock) {
        EmailSenders.Choice choice = EmailSenders.fromSettings(env::getProperty, clock);
        LoggerFactory.getLogger(MailConfiguration.class).info("E-mail goes to {}", choice.description());
        return choice.sender();
    }
}
