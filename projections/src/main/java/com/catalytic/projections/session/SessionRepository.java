package com.catalytic.projections.session;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface SessionRepository extends JpaRepository<SessionRow, String> {

    List<SessionRow> findByUserIdAndRevokedAtIsNull(String userId);
}
