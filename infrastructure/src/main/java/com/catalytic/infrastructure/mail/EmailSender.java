package com.catalytic.infrastructure.mail;

/**
 * Sends one e-mail. Transports: the local outbox (embedded default), SMTP, SendGrid ({@link EmailSenders} chooses);
 * {@link QueuedEmailSender} puts the queue in front of whichever is chosen.
 */
public interface EmailSender {

    record Email(String to, String subject, String text, String html) {
    }

    void send(Email email);
}
