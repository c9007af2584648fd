package com.catalytic.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;

/** The work of one delivery, the same whichever queue hands it out: optionally the POST, then the bookkeeping. */
final class DeliveryWork implements Consumer<String> {

    enum Kind {
        /** POST the payload to the receiver, then record the outcome on the delivery row. */
        HTTP,
        /** Only record the outcome: the queue's own cost, which mail and webhooks share. */
        NOOP
    }

    private static final String DONE = "UPDATE " + Deliveries.TABLE + " SET status = 'succeeded', "
            + "attempts = attempts + 1, next_attempt_at = NULL, completed_at = ?, claimed_by = NULL, "
            + "claimed_until = NULL WHERE id = ? AND " + Deliveries.PENDING;

    private final Kind kind;
    private final JdbcTemplate jdbc;
    private final HttpClient http;
    private final URI target;
    private final Tally tally;

    DeliveryWork(Kind kind, JdbcTemplate jdbc, HttpClient http, URI target, Tally tally) {
        this.kind = kind;
        this.jdbc = jdbc;
        this.http = http;
        this.target = target;
        this.tally = tally;
    }

    @Override
    public void accept(String id) {
        int n = Deliveries.number(id);
        tally.started(n);
        if (kind == Kind.HTTP) {
            post(jdbc.queryForObject("SELECT payload FROM " + Deliveries.TABLE + " WHERE id = ?", String.class, id));
        }
        // a row no longer pending was worked on before: the update finds nothing and the tally counts it
        tally.finished(jdbc.update(DONE, Timestamp.from(Instant.now()), id) == 1);
    }

    private void post(String payload) {
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(payload)).build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 200) {
                throw new IllegalStateException("the receiver answered " + status);
            }
        } catch (IOException e) {
            throw new IllegalStateException("POST failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
