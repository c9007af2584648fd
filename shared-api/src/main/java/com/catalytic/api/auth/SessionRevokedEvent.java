package com.catalytic.api.auth;

import com.catalytic.api.identity.TenantScoped;
import org.axonframework.serialization.Revision;

@Revision("1")
public record SessionRevokedEvent(String sessionId, String tenantId, String userId, String reason) implements TenantScoped {
}
