package com.catalytic.api.apikey;

import com.catalytic.api.auth.Actor;
import com.catalytic.api.tenant.TenantScoped;
import java.time.Instant;
import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.serialization.Revision;

/**
 * API keys. The key itself is shown once and never stored: messages carry its SHA-256 hash and a display prefix.
 */
public final class ApiKeyMessages {

    private ApiKeyMessages() {
    }

    /** {@code rateLimitPerMinute}: optional, a limit for this key below its tenant's plan (null: the plan's). */
    public record IssueApiKeyCommand(@TargetAggregateIdentifier String keyId, String tenantId, String name,
                                     Set<String> scopes, Instant expiresAt, String keyHash, String displayPrefix,
                                     Integer rateLimitPerMinute, Actor actor) implements TenantScoped {
    }

    public record RevokeApiKeyCommand(@TargetAggregateIdentifier String keyId, String tenantId, Actor actor)
            implements TenantScoped {
    }

    /** Replaces the key: the old one keeps working for {@code graceSeconds} (never beyond its own expiry). */
    public record RotateApiKeyCommand(@TargetAggregateIdentifier String keyId, String tenantId, String newKeyId,
                                      String newKeyHash, String newDisplayPrefix, long graceSeconds, Instant requestedAt,
                                      Actor actor) implements TenantScoped {
    }

    @Revision("1")
    public record ApiKeyIssuedEvent(String keyId, String tenantId, String name, Set<String> scopes, Instant expiresAt,
                                    String keyHash, String displayPrefix, String createdBy, String rotatedFrom,
                                    Integer rateLimitPerMinute) implements TenantScoped {
    }

    @Revision("1")
    public record ApiKeyRevokedEvent(String keyId, String tenantId, String revokedBy) implements TenantScoped {
    }

    @Revision("1")
    public record ApiKeyRotatedEvent(String keyId, String tenantId, String replacedBy, Instant validUntil,
                                     String rotatedBy) implements TenantScoped {
    }
}
