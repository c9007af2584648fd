package com.catalytic.api.lattice;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.TenantScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.serialization.Revision;

/**
 * Lattices: a d-dimensional grid of {@code size} points per side, with optional blocked vertices (obstacles, as
 * coordinates). The tenant holds the ids of its live lattices (its plan's count limit is checked there); each
 * lattice is its own aggregate, so its history is its own event stream.
 */
public final class LatticeMessages {

    private LatticeMessages() {
    }

    /** Sent to the tenant: checks the plan's limits, reserves the slot and creates the lattice aggregate. */
    public record CreateLatticeCommand(@TargetAggregateIdentifier String tenantId, String latticeId, String name,
                                       int dimensions, int size, List<List<Integer>> obstacles, Actor actor)
            implements TenantScoped {
    }

    /** Sent to the lattice. */
    public record DeleteLatticeCommand(@TargetAggregateIdentifier String latticeId, String tenantId, Actor actor)
            implements TenantScoped {
    }

    /** Sent to the tenant after the lattice is deleted: frees the slot the plan's count limit counts. */
    public record ReleaseLatticeCommand(@TargetAggregateIdentifier String tenantId, String latticeId)
            implements TenantScoped {
    }

    /**
     * Sent to the lattice when a computation on it finished: what was asked ({@code parameters}), what came out
     * ({@code result}, a summary, never a whole path), how long it took and the compute units it used.
     */
    public record RecordLatticeOperationCommand(@TargetAggregateIdentifier String latticeId, String tenantId,
                                                String operationId, String operation, Map<String, Object> parameters,
                                                Map<String, Object> result, long durationMs, long computeUnits,
                                                Instant performedAt, Actor actor) implements TenantScoped {
    }

    /** In the tenant's stream: a slot of the plan's lattice count is taken. */
    @Revision("1")
    public record TenantLatticeAddedEvent(String tenantId, String latticeId) implements TenantScoped {
    }

    /** In the tenant's stream: the slot is free again. */
    @Revision("1")
    public record TenantLatticeReleasedEvent(String tenantId, String latticeId) implements TenantScoped {
    }

    /** {@code vertices} and {@code edges}: exact counts (decimal strings; they may not fit a long). */
    @Revision("1")
    public record LatticeCreatedEvent(String latticeId, String tenantId, String name, int dimensions, int size,
                                      List<List<Integer>> obstacles, String vertices, String edges, long memoryBytes,
                                      String createdBy) implements TenantScoped {
    }

    @Revision("1")
    public record LatticeDeletedEvent(String latticeId, String tenantId, String deletedBy) implements TenantScoped {
    }

    @Revision("1")
    public record LatticeOperationPerformedEvent(String latticeId, String tenantId, String operationId,
                                                 String operation, Map<String, Object> parameters,
                                                 Map<String, Object> result, long durationMs, long computeUnits,
                                                 Instant performedAt, String performedBy) implements TenantScoped {
    }
}
