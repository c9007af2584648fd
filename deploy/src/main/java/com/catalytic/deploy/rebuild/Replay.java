package com.catalytic.deploy.rebuild;

import com.catalytic.deploy.rebuild.EventStoreReader.Position;
import com.catalytic.projections.EventProcessingGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.ReflectionUtils;

/**
 * Replays events in global order into the handlers. Each projection (processing group) is applied on a thread of its
 * own, one transaction per 1,000 or so of its events, as the live processors of different groups run independently
 * of each other: one projection's writes wait for PostgreSQL while another's handlers run. All of them see every
 * chunk in order; a failure in any stops the replay. A projection whose tables are being filled in the database
 * applies its events only once that load is done.
 */
final class Replay {

    private final Map<String, List<AnnotationEventHandlerAdapter>> groups;
    private final Map<String, Future<?>> loads;
    private final SpringTransactionManager tx;
    /** The payload types some projection of the context handles. */
    private final Set<Class<?>> handledByAny;
    private Position position = Position.START;
    private long count;
    private long read;

    private Replay(Map<String, List<AnnotationEventHandlerAdapter>> groups, Map<String, Future<?>> loads,
                   SpringTransactionManager tx, Set<Class<?>> handledByAny) {
        this.groups = groups;
        this.loads = loads;
        this.tx = tx;
        this.handledByAny = handledByAny;
    }

    /**
     * A replay into the handlers of these processing groups among the context's beans, in its transactions; a group
     * in {@code loads} applies nothing before its load in the database is done.
     */
    static Replay of(ApplicationContext ctx, Set<String> groups, Map<String, Future<?>> loads) {
        SpringTransactionManager tx = new SpringTransactionManager(ctx.getBean(PlatformTransactionManager.class));
        Map<String, List<AnnotationEventHandlerAdapter>> handlers = new LinkedHashMap<>();
        Set<Class<?>> handledByAny = new HashSet<>();
        for (Object bean : ctx.getBeansWithAnnotation(ProcessingGroup.class).values()) {
            Class<?> type = AopUtils.getTargetClass(bean);
            ProcessingGroup group = type.getAnnotation(ProcessingGroup.class);
            if (group != null && groups.contains(group.value())) {
                handlers.computeIfAbsent(group.value(), g -> new ArrayList<>())
                        .add(new AnnotationEventHandlerAdapter(bean));
            }
            payloadTypes(type).forEach(handledByAny::add);
        }
        return new Replay(handlers, Map.copyOf(loads), tx, Set.copyOf(handledByAny));
    }

    /**
     * The payload types that a projection of the context handles and none of this replay's does (a group that skips
     * metered calls does not take them): their events need only be counted. A rebuild of the sessions alone need not
     * read and deserialize the usage events that are most of a store.
     */
    Set<Class<?>> passedBy() {
        return handledByAny.stream().filter(type -> groups.entrySet().stream().noneMatch(
                group -> takes(group.getKey(), group.getValue(), type))).collect(Collectors.toSet());
    }

    private static boolean takes(String group, List<AnnotationEventHandlerAdapter> handlers, Class<?> type) {
        boolean skipped = EventProcessingGroup.named(group).filter(g -> g.skips(type)).isPresent();
        return !skipped && handlers.stream().anyMatch(h -> h.canHandleType(type));
    }

    /** The payload types of a handler class's event handlers: a handler's declared type, else its first parameter. */
    private static Stream<Class<?>> payloadTypes(Class<?> handlerClass) {
        return Arrays.stream(ReflectionUtils.getAllDeclaredMethods(handlerClass)).<Class<?>>mapMulti((m, out) -> {
            EventHandler handler = AnnotatedElementUtils.findMergedAnnotation(m, EventHandler.class);
            if (handler != null && handler.payloadType() != Object.class) {
                out.accept(handler.payloadType());
            } else if (handler != null && m.getParameterCount() > 0) {
                out.accept(m.getParameterTypes()[0]);
            }
        });
    }

    /** Where the read stands: the last event read so far, and the gaps below it. */
    Position position() {
        return position;
    }

    /** The events applied so far (by the handlers, or loaded in the database by their projection). */
    long count() {
        return count;
    }

    /** The events read so far, those a point in time left out included. */
    long read() {
        return read;
    }

    /** Applies what the reader reads, to its end; a progress bar, if any, counts the events read. */
    void run(ReadAhead reader, ProgressBar bar) throws Exception {
        List<ReplayLane> lanes = new ArrayList<>();
        groups.forEach((group, handlers) -> lanes.add(new ReplayLane(group, handlers, tx, loads.get(group))));
        try (reader) {
            handOver(reader, lanes, bar);
            for (ReplayLane lane : lanes) {
                lane.finish();
            }
        } finally {
            for (ReplayLane lane : lanes) {
                lane.stop();
            }
        }
    }

    /** Gives every lane each chunk the reader reads, up to the last. */
    private void handOver(ReadAhead reader, List<ReplayLane> lanes, ProgressBar bar) throws Exception {
        Chunk chunk;
        do {
            chunk = reader.next();
            if (chunk.failure() != null) {
                throw new IllegalStateException("reading the event store failed", chunk.failure());
            }
            for (ReplayLane lane : lanes) {
                lane.put(chunk);
            }
            if (chunk.position() != null) {
                position = chunk.position();
            }
            count += chunk.events().size() + chunk.loaded();
            read += chunk.read();
            if (bar != null) {
                bar.stepBy(chunk.read());
            }
        } while (!chunk.last());
    }
}
