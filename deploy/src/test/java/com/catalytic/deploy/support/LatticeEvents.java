package com.catalytic.deploy.support;

import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeDeletedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeOperationPerformedEvent;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;

/**
 * Appends a lattice's events to its own stream (aggregate type {@code lattice}) as its aggregate would, with the
 * metadata a user's request gives them: the read side is exercised from the stored events alone.
 */
public final class LatticeEvents {

    private final TestApp app;
    private final String tenantId;
    private final String userId;

    public LatticeEvents(TestApp app, String tenantId, String userId) {
        this.app = app;
        this.tenantId = tenantId;
        this.userId = userId;
    }

    /** A {@code size}^{@code dimensions} grid without obstacles, created now; returns its id. */
    public String create(String name, int dimensions, int size) {
        return create(name, dimensions, size, List.of(), null);
    }

    /** Vertex and edge counts as the engine defines them, exact; {@code at} null: now. */
    public String create(String name, int dimensions, int size, List<List<Integer>> obstacles, Instant at) {
        String id = UUID.randomUUID().toString();
        BigInteger n = BigInteger.valueOf(size);
        BigInteger vertices = n.pow(dimensions).subtract(BigInteger.valueOf(obstacles.size()));
        // d * (n - 1) * n^(d-1) edges in a full grid (the tests' obstacles are only counted, not subtracted)
        BigInteger edges = BigInteger.valueOf(dimensions).multiply(n.subtract(BigInteger.ONE))
                .multiply(n.pow(dimensions - 1));
        append(id, 0, new LatticeCreatedEvent(id, tenantId, name, dimensions, size, obstacles, vertices.toString(),
                edges.toString(), 64L + 8L * dimensions * obstacles.size(), userId), at);
        return id;
    }

    public void delete(String latticeId, long sequence) {
        append(latticeId, sequence, new LatticeDeletedEvent(latticeId, tenantId, userId), null);
    }

    /** Records an operation at {@code performedAt}; returns its id. */
    public String operation(String latticeId, long sequence, String operation, Map<String, Object> parameters,
                            Map<String, Object> result, Instant performedAt) {
        String id = UUID.randomUUID().toString();
        append(latticeId, sequence, new LatticeOperationPerformedEvent(latticeId, tenantId, id, operation, parameters,
                result, 12, 3, performedAt, userId), null);
        return id;
    }

    private void append(String latticeId, long sequence, Object payload, Instant at) {
        Map<String, Object> metadata = Map.of("actor_type", "user", "actor_id", userId, "request_id",
                "req-" + UUID.randomUUID());
        GenericDomainEventMessage<Object> event = at == null
                ? new GenericDomainEventMessage<>("lattice", latticeId, sequence, payload, metadata)
                : new GenericDomainEventMessage<>("lattice", latticeId, sequence, payload, metadata,
                        UUID.randomUUID().toString(), at);
        app.bean(EventStore.class).publish(event);
    }
}
