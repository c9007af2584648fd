package com.catalytic.command.eventstore;

import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Snapshot triggers of the aggregates whose streams grow for as long as they live: a tenant with every member
 * change and lattice, a subscription with every Stripe event, a user with every invitation and password reset, an
 * API key and a webhook with every change. Every {@code catalytic.snapshots.<type>-threshold} events (50) since
 * the last snapshot, the aggregate's state is stored in {@code snapshot_event_entry} after the command commits, so
 * loading it replays at most that many events. (Sessions and lattices have their own triggers, in
 * {@code auth.AuthConfiguration} and {@code lattice.LatticeConfiguration}.)
 *
 * <p>A snapshot is the aggregate's fields, serialized like the events, tagged with the class's {@code @Revision}.
 * When an aggregate's state changes shape, its revision goes up; snapshots of another revision are then ignored
 * (Axon's revision snapshot filter, which the configuration sets for every aggregate with a revision): the aggregate
 * is replayed from its events, and its next snapshot is of the new shape. Snapshots are a cache: deleting them
 * loses nothing.
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
