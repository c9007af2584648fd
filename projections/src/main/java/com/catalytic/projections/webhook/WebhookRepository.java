package com.catalytic.projections.webhook;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

public interface WebhookRepository extends JpaRepository<WebhookRow, String> {

    Optional<WebhookRow> findByIdAndTenantId(String id, String tenantId);

    List<WebhookRow> findByTenantIdOrderByCreatedAtAsc(String tenantId);
}
