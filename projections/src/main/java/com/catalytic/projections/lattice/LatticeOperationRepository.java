package com.catalytic.projections.lattice;

import java.time.Instant;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface LatticeOperationRepository extends JpaRepository<LatticeOperationRow, String> {

    /** A lattice's operations, newest first. */
    @Query("select o from LatticeOperationRow o where o.latticeId = ?1 and o.tenantId = ?2 "
            + "order by o.performedAt desc, o.id desc")
    List<LatticeOperationRow> newest(String latticeId, String tenantId, Limit limit);

    /** The page after the cursor ({@code performedAt}, {@code id}), newest first. */
    @Query("select o from LatticeOperationRow o where o.latticeId = ?1 and o.tenantId = ?2 "
            + "and (o.performedAt < ?3 or (o.performedAt = ?3 and o.id < ?4)) order by o.performedAt desc, o.id desc")
    List<LatticeOperationRow> newestBefore(String latticeId, String tenantId, Instant performedAt, String id,
                                           Limit limit);
}
