package com.catalytic.api.identity;

/** A message that belongs to one tenant. The tenant id also travels as message metadata ({@code tenant_id}). */
public interface TenantScoped {
    String tenantId();
}
