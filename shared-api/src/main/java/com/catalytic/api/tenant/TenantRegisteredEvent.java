package com.catalytic.api.tenant;

import com.catalytic.api.identity.TenantScoped;
import org.axonframework.serialization.Revision;

/** A company signed up. The owner's account is created by the {@code UserRegisteredEvent} that follows. */
@Revision("1")
public record TenantRegisteredEvent(String tenantId, String name, String slug, String plan, String ownerUserId,
                                    String ownerEmail) implements TenantScoped {
}
