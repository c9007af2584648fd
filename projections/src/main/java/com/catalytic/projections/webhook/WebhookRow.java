package com.catalytic.projections.webhook;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/** A row of the {@code webhooks} read table. */
@Entity
@Table(name = "webhooks")
public class WebhookRow {

    @Id
    private String id;
    @Column(name = "tenant_id")
    private String tenantId;
    private String url;
    private String description;
    @Column(name = "event_types")
    private String eventTypes;
    private boolean enabled;
    @Column(name = "secret_ciphertext")
    private String secretCiphertext;
    @Column(name = "previous_secret_ciphertext")
    private String previousSecretCiphertext;
    @Column(name = "previous_secret_valid_until")
    private Instant previousSecretValidUntil;
    @Column(name = "secret_rotated_at")
    private Instant secretRotatedAt;
    @Column(name = "created_by")
    private String createdBy;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "updated_at")
    private Instant updatedAt;

    protected WebhookRow() {
    }

    WebhookRow(String id, String tenantId, String url, String description, Set<String> eventTypes,
                      boolean enabled, String secretCiphertext, String createdBy, Instant createdAt) {
        this.id = id;
        this.tenantId = tenantId;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
        this.secretCiphertext = secretCiphertext;
        change(url, description, eventTypes, enabled, createdAt);
    }

    void change(String url, String description, Set<String> eventTypes, boolean enabled, Instant at) {
        this.url = url;
        this.description = description == null ? "" : description;
        this.eventTypes = String.join(",", new TreeSet<>(eventTypes));
        this.enabled = enabled;
        this.updatedAt = at;
    }

    void rotateSecret(String secretCiphertext, Instant previousValidUntil, Instant at) {
        this.previousSecretCiphertext = this.secretCiphertext;
        this.previousSecretValidUntil = previousValidUntil;
        this.secretCiphertext = secretCiphertext;
        this.secretRotatedAt = at;
        this.updatedAt = at;
    }

    public String getId() { return id; }
    public String getTenantId() { return tenantId; }
    public String getUrl() { return url; }
    public String getDescription() { return description; }
    public Set<String> getEventTypes() {
        return eventTypes.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(eventTypes.split(",")));
    }
    public boolean isEnabled() { return enabled; }
    public String getSecretCiphertext() { return secretCiphertext; }
    public String getPreviousSecretCiphertext() { return previousSecretCiphertext; }
    public Instant getPreviousSecretValidUntil() { return previousSecretValidUntil; }
    public Instant getSecretRotatedAt() { return secretRotatedAt; }
    public String getCreatedBy() { return createdBy; }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getUpdatedAt() { return updatedAt; }
}
