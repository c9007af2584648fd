package com.catalytic.command.eventstore;

import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Snapshot triggers of the aggregates whose streams grow as long as they live, every
 * {@code catalytic.snapshots.<type>-threshold} events (50), so a load replays at most that many; the shape policy
 * (a new {@code @Revision} makes older snapshots ignored) is in docs/ARCHITECTURE.md, the event store tables.
 */
@Configuration
class SnapshotConfiguration {

    @Bean
    SnapshotTriggerDefinition tenantSnapshotTrigger(Snapshotter snapshotter,
            @Value("${catalytic.snapshots.tenant-threshold:50}") int threshold) {
        return trigger(snapshotter, threshold);
    }

    @Bean
    SnapshotTriggerDefinition subscriptionSnapshotTrigger(Snapshotter snapshotter,
            @Value("${catalytic.snapshots.subscription-threshold:50}") int threshold) {
        return trigger(snapshotter, threshold);
    }

    @Bean
    SnapshotTriggerDefinition userSnapshotTrigger(Snapshotter snapshotter,
            @Value("${catalytic.snapshots.user-threshold:50}") int threshold) {
        return trigger(snapshotter, threshold);
    }

    @Bean
    SnapshotTriggerDefinition apiKeySnapshotTrigger(Snapshotter snapshotter,
            @Value("${catalytic.snapshots.api-key-threshold:50}") int threshold) {
        return trigger(snapshotter, threshold);
    }

    @Bean
    SnapshotTriggerDefinition webhookSnapshotTrigger(Snapshotter snapshotter,
            @Value("${catalytic.snapshots.webhook-threshold:50}") int threshold) {
        return trigger(snapshotter, threshold);
    }

    private static SnapshotTriggerDefinition trigger(Snapshotter snapshotter, int threshold) {
        if (threshold < 1) {
            throw new IllegalArgumentException("a snapshot threshold must be at least 1 event, not " + threshold);
        }
        return new EventCountSnapshotTriggerDefinition(snapshotter, threshold);
    }
}
