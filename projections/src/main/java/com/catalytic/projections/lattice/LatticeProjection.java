package com.catalytic.projections.lattice;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.lattice.LatticeMessages.LatticeCreatedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeDeletedEvent;
import com.catalytic.api.lattice.LatticeMessages.LatticeOperationPerformedEvent;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.stereotype.Component;

/**
 * Builds {@code lattices} and {@code lattice_operations}. Subscribing (updated with the command), so a lattice is
 * readable, and gone, as soon as its POST or DELETE answers. Rows are written by id, so a replayed event rewrites
 * the same row.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.LATTICES)
public class LatticeProjection {

    private final LatticeRepository lattices;
    private final LatticeOperationRepository operations;

    public LatticeProjection(LatticeRepository lattices, LatticeOperationRepository operations) {
        this.lattices = lattices;
        this.operations = operations;
    }

    @EventHandler
    void on(LatticeCreatedEvent e, @Timestamp Instant at) {
        int obstacles = e.obstacles() == null ? 0 : e.obstacles().size();
        lattices.save(new LatticeRow(e.latticeId(), e.tenantId(), e.name(), e.dimensions(), e.size(), obstacles,
                new BigInteger(e.vertices()), new BigInteger(e.edges()), e.memoryBytes(), e.createdBy(), at));
    }

    @EventHandler
    void on(LatticeDeletedEvent e, @Timestamp Instant at) {
        lattices.findById(e.latticeId()).ifPresent(l -> {
            l.delete(at);
            lattices.save(l);
        });
    }

    @EventHandler
    void on(LatticeOperationPerformedEvent e, @Timestamp Instant at) {
        operations.save(new LatticeOperationRow(e.operationId(), e.latticeId(), e.tenantId(), e.operation(),
                e.parameters() == null ? Map.of() : e.parameters(), e.result() == null ? Map.of() : e.result(),
                e.durationMs(), e.computeUnits(), e.performedBy(), e.performedAt() == null ? at : e.performedAt()));
    }

    @ResetHandler
    void reset() {
        operations.deleteAllInBatch();
        lattices.deleteAllInBatch();
    }
}
