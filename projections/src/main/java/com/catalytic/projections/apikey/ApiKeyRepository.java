package com.catalytic.projections.apikey;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

public interface ApiKeyRepository extends JpaRepository<ApiKeyRow, String> {

    Optional<ApiKeyRow> findByKeyHash(String keyHash);

    Optional<ApiKeyRow> findByIdAndTenantId(String id, String tenantId);

    List<ApiKeyRow> findByTenantIdOrderByCreatedAtDesc(String tenantId);

    List<ApiKeyRow> findByTenantIdAndCreatedByOrderByCreatedAtDesc(String tenantId, String createdBy);

    /**
     * Operational data, not a domain fact: when a key was last used. Written in batches, never moves backwards;
     * a rebuild of this table starts it over.
     */
    @Modifying
    @Transactional
    @Query("update ApiKeyRow k set k.lastUsedAt = ?2 where k.id = ?1 and (k.lastUsedAt is null or k.lastUsedAt < ?2)")
    int touch(String id, Instant at);
}
