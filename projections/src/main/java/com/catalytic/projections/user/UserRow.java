package com.catalytic.projections.user;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of the {@code users} read table. */
@Entity
@Table(name = "users")
public class UserRow {

    @Id
    private String id;
    @Column(name = "tenant_id")
    private String tenantId;
    private String email;
    @Column(name = "password_hash")
    private String passwordHash;
    private String role;
    private boolean active;
    private boolean invited;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "updated_at")
    private Instant updatedAt;
    @Column(name = "session_epoch")
    private int sessionEpoch;

    protected UserRow() {
    }

    UserRow(String id, String tenantId, String email, String passwordHash, String role, Instant createdAt) {
        this.id = id;
        this.tenantId = tenantId;
        this.email = email;
        this.passwordHash = passwordHash;
        this.role = role;
        this.active = true;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
    }

    void setRole(String role, Instant at) {
        this.role = role;
        this.updatedAt = at;
    }

    void setActive(boolean active, Instant at) {
        this.active = active;
        this.updatedAt = at;
    }

    /** Ends the user's sessions so far: their tokens carry an earlier epoch. */
    void endSessions() {
        this.sessionEpoch++;
    }

    void setPassword(String passwordHash, Instant at) {
        this.passwordHash = passwordHash;
        this.invited = false;
        this.updatedAt = at;
    }

    void setInvited(boolean invited) {
        this.invited = invited;
    }

    public boolean isInvited() { return invited; }

    public String getId() { return id; }
    public String getTenantId() { return tenantId; }
    public String getEmail() { return email; }
    public String getPasswordHash() { return passwordHash; }
    public String getRole() { return role; }
    public boolean isActive() { return active; }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getUpdatedAt() { return updatedAt; }
    public int getSessionEpoch() { return sessionEpoch; }
}
