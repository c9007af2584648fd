package com.catalytic.infrastructure.mail;

import java.time.Instant;

/**
 * Sends one e-mail. Transports: the local outbox (embedded default), SMTP, SendGrid ({@link EmailSenders} chooses);
 * {@link QueuedEmailSender} puts the queue in front of whichever is chosen.
 */
public interface EmailSender {

    record Email(String to, String subject, String text, String html) {
    }

    void send(Email email);

    /**
     * Removes what the transport keeps of messages sent before {@code cutoff}, if it keeps anything (the local
     * outbox keeps every message as a file, with its live links); returns how many were removed.
     */
    default int removeSentBefore(Instant cutoff) {
        return 0;
    }
}
