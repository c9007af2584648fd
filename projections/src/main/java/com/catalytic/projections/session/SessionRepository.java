package com.catalytic.projections.session;

import java.time.Instant;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface SessionRepository extends JpaRepository<SessionRow, String> {

    @Query("select s.id from SessionRow s where s.revokedAt >= ?1")
    List<String> findIdsRevokedSince(Instant since);
}
