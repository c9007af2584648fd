package com.catalytic.infrastructure.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

/** E-mail over SMTP ({@code SMTP_*} settings): one multipart/alternative message, text and HTML, UTF-8. */
class SmtpEmailSender implements EmailSender {

    private final JavaMailSender mailer;
    private final String from;

    public SmtpEmailSender(JavaMailSender mailer, String from) {
        this.mailer = mailer;
        this.from = from;
    }

    @Override
    public void send(Email email) {
        try {
            MimeMessage message = mailer.createMimeMessage();
            MimeMessageHelper m = new MimeMessageHelper(message, true, "UTF-8");
            m.setFrom(from);
            m.setTo(email.to());
            m.setSubject(OutboxEmailSender.header(email.subject()));
            m.setText(email.text(), email.html());
            mailer.send(message);
        } catch (MessagingException e) {
            throw new MailSendException("cannot compose the e-mail to " + email.to() + ": " + e.getMessage(), e);
        }
    }
}
