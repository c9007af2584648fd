package com.catalytic.projections.user;

import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

public interface UserRepository extends JpaRepository<UserRow, String> {

    Optional<UserRow> findByEmail(String email);

    Optional<UserRow> findByIdAndTenantId(String id, String tenantId);

    long countByTenantId(String tenantId);

    java.util.List<UserRow> findByTenantIdOrderByCreatedAtAsc(String tenantId);
}
