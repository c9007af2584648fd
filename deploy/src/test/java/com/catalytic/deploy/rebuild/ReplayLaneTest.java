package com.catalytic.deploy.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.rebuild.EventStoreReader.Position;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GenericTrackedEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A projection whose tables are being filled in the database applies nothing until that load is done: its handlers
 * write into the tables as the load leaves them (keyed, summed), never into half-loaded ones.
 */
class ReplayLaneTest {

    /** Records, for each event it handles, whether the load was done by then. */
    static final class Recorder {
        final AtomicBoolean loaded = new AtomicBoolean();
        final List<Boolean> seen = new CopyOnWriteArrayList<>();

        @EventHandler
        void on(String event) {
            seen.add(loaded.get());
        }
    }

    private final SpringTransactionManager tx = new SpringTransactionManager(new DataSourceTransactionManager(
            new DriverManagerDataSource(TestApp.pgUrl(), TestApp.pgUser(), "")));

    @Test
    void aLaneAppliesItsEventsOnlyOnceItsLoadIsDone() throws Exception {
        Recorder recorder = new Recorder();
        CompletableFuture<Long> load = new CompletableFuture<>();
        ReplayLane lane = new ReplayLane("gated", List.of(new AnnotationEventHandlerAdapter(recorder)), tx, load);
        lane.put(chunk("an event of an older revision"));
        // the lane has the chunk and waits for the load (were it not waiting, it would have handled the event)
        await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.seen.isEmpty() || waitingForTheLoad("gated"));
        assertThat(recorder.seen).as("handled before the load was done").isEmpty();
        recorder.loaded.set(true);
        load.complete(3L);
        lane.finish();
        assertThat(recorder.seen).containsExactly(true);

        // a lane without a load of its own applies at once (the positive control)
        Recorder free = new Recorder();
        ReplayLane ungated = new ReplayLane("free", List.of(new AnnotationEventHandlerAdapter(free)), tx, null);
        ungated.put(chunk("an event"));
        ungated.finish();
        assertThat(free.seen).containsExactly(false);
    }

    @Test
    void aFailedLoadFailsTheLaneWithItsCause() throws Exception {
        Recorder recorder = new Recorder();
        CompletableFuture<Long> load = new CompletableFuture<>();
        ReplayLane lane = new ReplayLane("usage", List.of(new AnnotationEventHandlerAdapter(recorder)), tx, load);
        lane.put(chunk("an event"));
        load.completeExceptionally(new IllegalStateException("disk full"));
        assertThatThrownBy(lane::finish).hasMessageContaining("loading usage in the database failed")
                .rootCause().hasMessage("disk full");
        assertThat(recorder.seen).isEmpty();
    }

    private static Chunk chunk(String payload) {
        TrackedEventMessage<?> event = new GenericTrackedEventMessage<>(new GlobalSequenceTrackingToken(0),
                GenericEventMessage.asEventMessage(payload));
        return new Chunk(List.of(event), Position.START, 1, 0, true, null);
    }

    /** The lane's thread is parked in the load's {@code get()}. */
    private static boolean waitingForTheLoad(String group) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(t -> t.getKey().getName().equals("rebuild-" + group))
                .anyMatch(t -> Arrays.stream(t.getValue()).anyMatch(f -> f.getClassName().equals(
                        CompletableFuture.class.getName()) && f.getMethodName().equals("get")));
    }
}
