package com.catalytic.api.apikey;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.TenantScoped;
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

    /**
     * The API key a key command is sent through (null when a signed-in user sends it): when it stops working
     * (its expiry, or the end of its grace window once rotated; null: never) and its own rate limit (null: the
     * plan's). Nothing issued or rotated through it outlives it or is allowed more calls.
     */
    public record ActingKey(Instant usableUntil, Integer rateLimitPerMinute) {

        /** The bounds of a key that expires at {@code expiresAt} and, once rotated, ends at {@code validUntil}. */
        public static ActingKey of(Instant expiresAt, Instant validUntil, Integer rateLimitPerMinute) {
            Instant until = expiresAt == null ? validUntil
                    : validUntil == null || expiresAt.isBefore(validUntil) ? expiresAt : validUntil;
            return new ActingKey(until, rateLimitPerMinute);
        }
    }

    /** {@code rateLimitPerMinute}: optional, a limit for this key below its tenant's plan (null: the plan's). */
    public record IssueApiKeyCommand(@TargetAggregateIdentifier String keyId, String tenantId, String name,
                                     Set<String> scopes, Instant expiresAt, String keyHash, String displayPrefix,
                                     Integer rateLimitPerMinute, Actor actor, ActingKey actingKey)
            implements TenantScoped {
    }

    public record RevokeApiKeyCommand(@TargetAggregateIdentifier String keyId, String tenantId, Actor actor)
            implements TenantScoped {
    }

    /**
     * Replaces the key: the old one keeps working for {@code graceSeconds} (never beyond its own expiry). The new
     * secret goes to whoever sends this, so only the key's creator may.
     */
    public record RotateApiKeyCommand(@TargetAggregateIdentifier String keyId, String tenantId, String newKeyId,
                                      String newKeyHash, String newDisplayPrefix, long graceSeconds, Instant requestedAt,
                                      Actor actor, ActingKey actingKey) implements TenantScoped {
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
