package com.catalytic.projections.lattice;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface LatticeRepository extends JpaRepository<LatticeRow, String> {

    Optional<LatticeRow> findByIdAndTenantIdAndDeletedAtIsNull(String id, String tenantId);

    /** The tenant's live lattices, newest first. */
    @Query("select l from LatticeRow l where l.tenantId = ?1 and l.deletedAt is null order by l.createdAt desc, l.id desc")
    List<LatticeRow> newest(String tenantId, Limit limit);

    /** The page after the cursor ({@code createdAt}, {@code id}), newest first. */
    @Query("select l from LatticeRow l where l.tenantId = ?1 and l.deletedAt is null "
            + "and (l.createdAt < ?2 or (l.createdAt = ?2 and l.id < ?3)) order by l.createdAt desc, l.id desc")
    List<LatticeRow> newestBefore(String tenantId, Instant createdAt, String id, Limit limit);
}
