package com.catalytic.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.infrastructure.node.NodeRoles;
import com.catalytic.projections.EventProcessingGroup;
import com.catalytic.projections.EventProcessingGroup.Mode;
import com.catalytic.projections.EventProcessingGroup.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.config.EventProcessingConfigurer;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.SubscribingEventProcessor;
import org.axonframework.eventhandling.pooled.MaxSegmentProvider;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The application's processors are what {@link EventProcessingGroup} declares: subscribing groups handle an event
 * as it is published, the others are pooled streaming processors that start at the tail of the event store or, where
 * declared, at its head, and skip metered calls where declared. Axon alone, in memory, no Spring.
 */
class AxonConfigurationProcessorsTest {

    /** Records what one group's processor delivers. */
    static final class Recorder {
        final List<Object> seen = new CopyOnWriteArrayList<>();

        @EventHandler
        void on(Object payload) {
            seen.add(payload);
        }
    }

    private final Map<EventProcessingGroup, Recorder> recorders = new EnumMap<>(EventProcessingGroup.class);
    private Configuration axon;

    @AfterEach
    void shutDown() {
        if (axon != null) {
            axon.shutdown();
        }
    }

    @Test
    void eachGroupRunsAsDeclared() {
        axon = configure(NodeRoles.all());
        Object callBefore = call("before");
        Object otherBefore = "stored before the start";
        publish(callBefore, otherBefore);

        axon.start();
        awaitSegmentsClaimed();
        Object callAfter = call("after");
        Object otherAfter = "stored after the start";
        publish(callAfter, otherAfter);

        for (EventProcessingGroup group : EventProcessingGroup.values()) {
            EventProcessor processor = axon.eventProcessingConfiguration().eventProcessor(group.groupName())
                    .orElseThrow();
            if (group.mode() == Mode.SUBSCRIBING) {
                assertThat(processor).as(group.groupName()).isInstanceOf(SubscribingEventProcessor.class);
                // handled while publishing: nothing to wait for
                assertThat(recorders.get(group).seen).as(group.groupName()).containsExactly(callAfter, otherAfter);
            } else {
                assertThat(processor).as(group.groupName()).isInstanceOf(PooledStreamingEventProcessor.class);
                List<Object> expected = new ArrayList<>();
                if (!group.has(Option.STARTS_AT_HEAD)) {
                    expected.addAll(List.of(callBefore, otherBefore));
                }
                expected.addAll(List.of(callAfter, otherAfter));
                if (group.has(Option.SKIPS_METERED_CALLS)) {
                    expected.removeIf(UsageRecordedEvent.class::isInstance);
                }
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(recorders.get(group).seen)
                        .as(group.groupName()).containsExactlyInAnyOrderElementsOf(expected));
            }
        }
    }

    /**
     * A node runs the streaming groups of its roles only: the others start no thread and never initialize a token,
     * while its own groups handle what is published (the positive control in the same run). Subscribing groups run
     * on every node, inside whatever publishes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"api", "projections", "dispatchers", "projections,dispatchers"})
    void aNodeRunsOnlyTheStreamingGroupsOfItsRoles(String setting) {
        NodeRoles roles = NodeRoles.parse(setting);
        axon = configure(roles);
        axon.start();
        awaitSegmentsClaimed();
        Object event = "stored after the start";
        publish(event);

        List<EventProcessingGroup> served = new ArrayList<>();
        for (EventProcessingGroup group : EventProcessingGroup.values()) {
            EventProcessor processor = axon.eventProcessingConfiguration().eventProcessor(group.groupName())
                    .orElseThrow();
            boolean expectedHere = group.mode() == Mode.SUBSCRIBING
                    || (group.isProjection() ? setting.contains("projections") : setting.contains("dispatchers"));
            assertThat(AxonConfiguration.runsHere(group, roles)).as(group.groupName()).isEqualTo(expectedHere);
            if (expectedHere) {
                served.add(group);
                assertThat(processor).as(group.groupName()).isNotInstanceOf(UnservedEventProcessor.class);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(recorders.get(group).seen)
                        .as(group.groupName()).contains(event));
            } else {
                assertThat(processor).as(group.groupName()).isInstanceOf(UnservedEventProcessor.class);
                assertThat(processor.isRunning()).as(group.groupName()).isFalse();
                assertThat(axon.getComponent(TokenStore.class).fetchSegments(group.groupName()))
                        .as("segments of %s", group.groupName()).isEmpty();
                assertThat(Thread.getAllStackTraces().keySet()).as("threads of %s", group.groupName())
                        .noneMatch(t -> t.getName().contains("[" + group.groupName() + "]"));
                assertThat(recorders.get(group).seen).as(group.groupName()).isEmpty();
            }
        }
        // the positive control of the thread check: a streaming group this node serves has its coordinator
        served.stream().filter(g -> g.mode() == Mode.POOLED_STREAMING).forEach(g ->
                assertThat(Thread.getAllStackTraces().keySet()).as("threads of %s", g.groupName())
                        .anyMatch(t -> t.getName().contains("Coordinator[" + g.groupName() + "]")));
    }

    /** Axon in memory with the application's processors for a node of these roles, a recorder in each group. */
    private Configuration configure(NodeRoles roles) {
        Configurer configurer = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine());
        EventProcessingConfigurer processing = configurer.eventProcessing();
        new AxonConfiguration().configureProcessors(processing, roles, MaxSegmentProvider.maxShort(), 200, 2,
                Duration.ofSeconds(2));
        for (EventProcessingGroup group : EventProcessingGroup.values()) {
            Recorder recorder = new Recorder();
            recorders.put(group, recorder);
            processing.registerEventHandler(c -> recorder);
            processing.assignHandlerInstancesMatching(group.groupName(), handler -> handler == recorder);
        }
        return configurer.buildConfiguration();
    }

    /** Until every streaming processor holds its segments, so their starting tokens exist. */
    private void awaitSegmentsClaimed() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> axon.eventProcessingConfiguration()
                .eventProcessors().forEach((name, processor) -> {
                    if (processor instanceof StreamingEventProcessor streaming) {
                        assertThat(streaming.processingStatus()).as("segments of %s", name).hasSize(2);
                    }
                }));
    }

    private void publish(Object... payloads) {
        for (Object payload : payloads) {
            EventMessage<?> event = GenericEventMessage.asEventMessage(payload)
                    .andMetaData(Map.of("tenant_id", "tenant-1"));
            axon.eventBus().publish(event);
        }
    }

    private static UsageRecordedEvent call(String id) {
        return new UsageRecordedEvent(id, "tenant-1", "user-1", null, "/api/me", "GET", 200, 3, 120, 1,
                Instant.parse("2026-11-01T00:00:00Z"));
    }
}
