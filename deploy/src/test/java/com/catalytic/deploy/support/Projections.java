package com.catalytic.deploy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;

/** Waiting for the asynchronous projections of one instance to reach the head of the event store. */
public final class Projections {

    private Projections() {
    }

    /** Waits until every streaming processor of {@code app} has handled every event stored so far. */
    public static void awaitCaughtUp(TestApp app) {
        Long head = app.jdbc().queryForObject("SELECT MAX(global_index) FROM domain_event_entry", Long.class);
        if (head == null) {
            return;
        }
        Map<String, EventProcessor> processors = app.bean(EventProcessingConfiguration.class).eventProcessors();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> processors.forEach((name, processor) -> {
            if (processor instanceof StreamingEventProcessor streaming) {
                Map<Integer, EventTrackerStatus> status = streaming.processingStatus();
                assertThat(status).as("segments of %s", name).isNotEmpty();
                status.values().forEach(s -> assertThat(s.getCurrentPosition().orElse(-1))
                        .as("position of %s", name).isGreaterThanOrEqualTo(head));
            }
        }));
    }
}
