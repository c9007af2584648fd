package com.catalytic.query.lattice;

import com.catalytic.api.lattice.LatticeQueries.FindLatticeQuery;
import com.catalytic.api.lattice.LatticeQueries.LatticeOperationPage;
import com.catalytic.api.lattice.LatticeQueries.LatticeOperationView;
import com.catalytic.api.lattice.LatticeQueries.LatticeView;
import com.catalytic.api.lattice.LatticeQueries.ListLatticeOperationsQuery;
import com.catalytic.api.lattice.LatticeQueries.ListLatticesQuery;
import com.catalytic.projections.lattice.LatticeOperationRepository;
import com.catalytic.projections.lattice.LatticeOperationRow;
import com.catalytic.projections.lattice.LatticeRepository;
import com.catalytic.projections.lattice.LatticeRow;
import java.util.List;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Lattices and their operations, always within the asking tenant; a deleted lattice is not found. */
@Component
@Transactional(readOnly = true)
class LatticeQueryHandlers {

    private final LatticeRepository lattices;
    private final LatticeOperationRepository operations;

    LatticeQueryHandlers(LatticeRepository lattices, LatticeOperationRepository operations) {
        this.lattices = lattices;
        this.operations = operations;
    }

    @QueryHandler
    List<LatticeView> handle(ListLatticesQuery query) {
        Limit limit = Limit.of(query.limit());
        List<LatticeRow> rows = query.beforeCreatedAt() == null
                ? lattices.newest(query.tenantId(), limit)
                : lattices.newestBefore(query.tenantId(), query.beforeCreatedAt(), query.beforeId(), limit);
        return rows.stream().map(LatticeQueryHandlers::view).toList();
    }

    @QueryHandler
    LatticeView handle(FindLatticeQuery query) {
        return lattices.findByIdAndTenantIdAndDeletedAtIsNull(query.latticeId(), query.tenantId())
                .map(LatticeQueryHandlers::view).orElse(null);
    }

    @QueryHandler
    LatticeOperationPage handle(ListLatticeOperationsQuery query) {
        if (lattices.findByIdAndTenantIdAndDeletedAtIsNull(query.latticeId(), query.tenantId()).isEmpty()) {
            return null;
        }
        Limit limit = Limit.of(query.limit());
        List<LatticeOperationRow> rows = query.beforePerformedAt() == null
                ? operations.newest(query.latticeId(), query.tenantId(), limit)
                : operations.newestBefore(query.latticeId(), query.tenantId(), query.beforePerformedAt(),
                        query.beforeId(), limit);
        return new LatticeOperationPage(rows.stream().map(LatticeQueryHandlers::view).toList());
    }

    private static LatticeView view(LatticeRow l) {
        return new LatticeView(l.getId(), l.getName(), l.getDimensions(), l.getSize(), l.getVertices(), l.getEdges(),
                l.getObstacles(), l.getMemoryBytes(), l.getCreatedAt());
    }

    private static LatticeOperationView view(LatticeOperationRow o) {
        return new LatticeOperationView(o.getId(), o.getOperation(), o.getParameters(), o.getResult(),
                o.getDurationMs(), o.getComputeUnits(), o.getPerformedBy(), o.getPerformedAt());
    }
}
