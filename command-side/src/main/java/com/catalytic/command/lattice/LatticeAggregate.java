package com.catalytic.command.lattice;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.lattice.LatticeMessages.DeleteLatticeCommand;
import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeDeletedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeOperationPerformedEvent;
import com.catalytic.api.lattice.LatticeMessages.RecordLatticeOperationCommand;
import com.catalytic.command.lattice.engine.LatticeDefinition;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.time.Instant;
import java.util.List;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * One lattice of a tenant: its definition, fixed at creation, and the operations computed on it. Created by its
 * tenant, which holds the plan's count of live lattices. A deleted lattice, like one of another tenant, does not
 * exist for any command. Snapshots (by field) bound the replay of a lattice with many operations.
 */
@Aggregate(type = "lattice", snapshotTriggerDefinition = "latticeSnapshotTrigger")
@Revision("1")
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class LatticeAggregate {

    public static final int MAX_NAME = 100;

    @AggregateIdentifier
    private String latticeId;
    private String tenantId;
    private String name;
    private int dimensions;
    private int size;
    private List<List<Integer>> obstacles;
    private String createdBy;
    private Instant createdAt;
    private String vertices;
    private String edges;
    private long memoryBytes;
    private boolean deleted;
    /** The last computation recorded: a repeat of its request (same Idempotency-Key, same id) is not recorded again. */
    private String lastOperationId;

    protected LatticeAggregate() {
    }

    /** Used by the tenant through {@code createNew}, inside the tenant's command. */
    public LatticeAggregate(LatticeCreatedEvent created) {
        apply(created);
    }

    @CommandHandler
    public void handle(DeleteLatticeCommand cmd) {
        requireVisibleTo(cmd.tenantId());
        apply(new LatticeDeletedEvent(latticeId, tenantId, actorId(cmd.actor())));
    }

    @CommandHandler
    public void handle(RecordLatticeOperationCommand cmd) {
        requireVisibleTo(cmd.tenantId());
        if (cmd.operationId().equals(lastOperationId)) {
            throw DomainException.conflict("already_applied", "this computation was recorded by an earlier attempt "
                    + "with the same Idempotency-Key, whose answer was lost; it was not recorded again", null);
        }
        apply(new LatticeOperationPerformedEvent(latticeId, tenantId, cmd.operationId(), cmd.operation(),
                cmd.parameters(), cmd.result(), cmd.durationMs(), cmd.computeUnits(), cmd.performedAt(),
                actorId(cmd.actor())));
    }

    /** The name as stored: trimmed, null when blank; 422 {@code invalid_name} when longer than {@link #MAX_NAME}. */
    public static String acceptableName(String name) {
        String trimmed = name == null ? "" : name.trim();
        if (trimmed.length() > MAX_NAME) {
            throw DomainException.validation("name", "invalid_name", "name must be at most " + MAX_NAME + " characters");
        }
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** The definition to compute on, for a caller of {@code callerTenant}; 404 for anyone else or once deleted. */
    LatticeDefinition definitionFor(String callerTenant) {
        requireVisibleTo(callerTenant);
        return LatticeDefinition.of(dimensions, size, obstacles);
    }

    /** What its creator is told. */
    public LatticeCreation creation() {
        return new LatticeCreation(latticeId, name, dimensions, size, obstacles.size(), vertices, edges, memoryBytes,
                createdAt);
    }

    private void requireVisibleTo(String callerTenant) {
        // an id of another kind of aggregate replays none of these handlers: it is no lattice either
        if (deleted || tenantId == null || !tenantId.equals(callerTenant)) {
            throw DomainException.notFound("lattice");
        }
    }

    private static String actorId(Actor actor) {
        return actor == null || actor.isSystem() ? "system" : actor.userId();
    }

    @EventSourcingHandler
    void on(LatticeCreatedEvent event, @Timestamp Instant at) {
        this.latticeId = event.latticeId();
        this.tenantId = event.tenantId();
        this.name = event.name();
        this.dimensions = event.dimensions();
        this.size = event.size();
        this.obstacles = event.obstacles() == null ? List.of() : List.copyOf(event.obstacles());
        this.createdBy = event.createdBy();
        this.createdAt = at;
        this.vertices = event.vertices();
        this.edges = event.edges();
        this.memoryBytes = event.memoryBytes();
    }

    @EventSourcingHandler
    void on(LatticeOperationPerformedEvent event) {
        this.lastOperationId = event.operationId();
    }

    @EventSourcingHandler
    void on(LatticeDeletedEvent event) {
        this.deleted = true;
    }
}
