package com.catalytic.projections.access;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of {@code access_changes}: something that makes cached credentials stale. */
@Entity
@Table(name = "access_changes")
public class AccessChangeRow {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long seq;
    private String kind;
    @Column(name = "subject_id")
    private String subjectId;
    @Column(name = "tenant_id")
    private String tenantId;
    @Column(name = "changed_at")
    private Instant changedAt;

    protected AccessChangeRow() {
    }

    public Long getSeq() { return seq; }
    public String getKind() { return kind; }
    public String getSubjectId() { return subjectId; }
    public String getTenantId() { return tenantId; }
    public Instant getChangedAt() { return changedAt; }
}
