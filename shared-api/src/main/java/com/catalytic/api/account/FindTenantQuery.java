package com.catalytic.api.account;

/** A tenant by id; answered with a {@link TenantView} or null. */
public record FindTenantQuery(String tenantId) {
}
