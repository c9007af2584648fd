package com.catalytic.projections.apikey;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/** A row of the {@code api_keys} read table. */
@Entity
@Table(name = "api_keys")
public class ApiKeyRow {

    @Id
    private String id;
    @Column(name = "tenant_id")
    private String tenantId;
    private String name;
    private String prefix;
    @Column(name = "key_hash")
    private String keyHash;
    private String scopes;
    @Column(name = "created_by")
    private String createdBy;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "expires_at")
    private Instant expiresAt;
    @Column(name = "revoked_at")
    private Instant revokedAt;
    @Column(name = "valid_until")
    private Instant validUntil;
    @Column(name = "replaced_by")
    private String replacedBy;
    @Column(name = "rotated_from")
    private String rotatedFrom;
    @Column(name = "last_used_at")
    private Instant lastUsedAt;
    @Column(name = "rate_limit_per_minute")
    private Integer rateLimitPerMinute;

    protected ApiKeyRow() {
    }

    public String getId() { return id; }
    public String getTenantId() { return tenantId; }
    public String getName() { return name; }
    public String getPrefix() { return prefix; }
    public String getKeyHash() { return keyHash; }
    public Set<String> getScopes() { return scopes.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(scopes.split(","))); }
    public String getCreatedBy() { return createdBy; }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getExpiresAt() { return expiresAt; }
    public Instant getRevokedAt() { return revokedAt; }
    public Instant getValidUntil() { return validUntil; }
    public String getReplacedBy() { return replacedBy; }
    public String getRotatedFrom() { return rotatedFrom; }
    public Instant getLastUsedAt() { return lastUsedAt; }
    public Integer getRateLimitPerMinute() { return rateLimitPerMinute; }
}
