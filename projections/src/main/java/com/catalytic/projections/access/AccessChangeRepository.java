package com.catalytic.projections.access;

import java.time.Instant;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

public interface AccessChangeRepository extends JpaRepository<AccessChangeRow, Long> {

    List<AccessChangeRow> findByChangedAtGreaterThanEqualOrderBySeqAsc(Instant since);

    @Modifying
    @Transactional
    @Query("delete from AccessChangeRow c where c.changedAt < ?1")
    int deleteOlderThan(Instant before);
}
