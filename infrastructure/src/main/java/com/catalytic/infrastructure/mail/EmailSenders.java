package com.catalytic.infrastructure.mail;

import com.catalytic.infrastructure.config.ConfiguredValues;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Properties;
import java.util.function.Function;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * The one place that picks the mail transport from the deployment settings: SendGrid when {@code SENDGRID_API_KEY}
 * is set, SMTP when {@code SMTP_HOST} is, the local outbox otherwise (the embedded default). The service and
 * {@code catalytic email test} use the same choice.
 */
public final class EmailSenders {

    /** The chosen transport and a description of it for logs and operators (never a secret). */
    public record Choice(EmailSender sender, String description) {
    }

    private EmailSenders() {
    }

    /** @param setting a setting by its environment name, null when unset */
    public static Choice fromSettings(Function<String, String> setting, Clock clock) {
        String from = or(setting.apply("EMAIL_FROM"), "Catalytic <no-reply@localhost>");
        String sendgridKey = setting.apply("SENDGRID_API_KEY");
        if (ConfiguredValues.isSet(sendgridKey)) {
            String base = or(setting.apply("SENDGRID_API_BASE"), "https://api.sendgrid.com");
            return new Choice(new SendGridEmailSender(sendgridKey.trim(), from, base),
                    "SendGrid (" + base + "), from " + from);
        }
        String smtpHost = setting.apply("SMTP_HOST");
        if (smtpHost != null && !smtpHost.isBlank()) {
            JavaMailSenderImpl mailer = new JavaMailSenderImpl();
            mailer.setHost(smtpHost.trim());
            mailer.setPort(Integer.parseInt(or(setting.apply("SMTP_PORT"), "587").trim()));
            String user = setting.apply("SMTP_USERNAME");
            if (user != null && !user.isBlank()) {
                mailer.setUsername(user);
                mailer.setPassword(setting.apply("SMTP_PASSWORD"));
            }
            mailer.setDefaultEncoding("UTF-8");
            Properties p = mailer.getJavaMailProperties();
            p.put("mail.smtp.auth", Boolean.toString(user != null && !user.isBlank()));
            boolean starttls = Boolean.parseBoolean(or(setting.apply("SMTP_STARTTLS"), "true").trim());
            p.put("mail.smtp.starttls.enable", Boolean.toString(starttls));
            p.put("mail.smtp.starttls.required", Boolean.toString(starttls));
            p.put("mail.smtp.connectiontimeout", "10000");
            p.put("mail.smtp.timeout", "10000");
            p.put("mail.smtp.writetimeout", "10000");
            return new Choice(new SmtpEmailSender(mailer, from), "SMTP " + mailer.getHost() + ":" + mailer.getPort()
                    + (starttls ? " with STARTTLS" : "") + (user != null && !user.isBlank() ? " as " + user : "")
                    + ", from " + from);
        }
        Path outbox = Path.of(or(setting.apply("catalytic.mail.outbox-dir"),
                or(setting.apply("CATALYTIC_DATA_DIR"), "./data") + "/outbox"));
        return new Choice(new OutboxEmailSender(outbox, from, clock),
                "the local outbox " + outbox.toAbsolutePath().normalize() + " (no e-mail leaves this machine)");
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
