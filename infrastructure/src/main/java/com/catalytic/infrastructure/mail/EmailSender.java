package com.catalytic.infrastructure.mail;

/** Sends one e-mail. Implementations: the local outbox (embedded default); SMTP and SendGrid come with billing. */
public interface EmailSender {

    record Email(String to, String subject, String text, String html) {
    }

    void send(Email email);
}
