package com.catalytic.projections.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of the {@code tenants} read table. */
@Entity
@Table(name = "tenants")
public class TenantRow {

    @Id
    private String id;
    private String name;
    private String slug;
    private String plan;
    private String status;
    @Column(name = "suspension_reason")
    private String suspensionReason;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "updated_at")
    private Instant updatedAt;

    protected TenantRow() {
    }

    TenantRow(String id, String name, String slug, String plan, String status, Instant createdAt) {
        this.id = id;
        this.name = name;
        this.slug = slug;
        this.plan = plan;
        this.status = status;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
    }

    void rename(String name, Instant at) {
        this.name = name;
        this.updatedAt = at;
    }

    void suspend(String reason, Instant at) {
        this.status = "suspended";
        this.suspensionReason = reason == null ? "" : reason;
        this.updatedAt = at;
    }

    void reinstate(Instant at) {
        this.status = "active";
        this.suspensionReason = null;
        this.updatedAt = at;
    }

    void setPlan(String plan, Instant at) {
        this.plan = plan;
        this.updatedAt = at;
    }

    public String getId() { return id; }
    public String getName() { return name; }
    public String getSlug() { return slug; }
    public String getPlan() { return plan; }
    public String getStatus() { return status; }
    public String getSuspensionReason() { return suspensionReason; }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getUpdatedAt() { return updatedAt; }
}
