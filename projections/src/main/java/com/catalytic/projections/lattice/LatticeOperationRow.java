package com.catalytic.projections.lattice;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A row of the {@code lattice_operations} read table. */
@Entity
@Table(name = "lattice_operations")
public class LatticeOperationRow {

    @Id
    private String id;
    @Column(name = "lattice_id")
    private String latticeId;
    @Column(name = "tenant_id")
    private String tenantId;
    private String operation;
    @JdbcTypeCode(SqlTypes.JSON)
    private Map<String, Object> parameters;
    @JdbcTypeCode(SqlTypes.JSON)
    private Map<String, Object> result;
    @Column(name = "duration_ms")
    private long durationMs;
    @Column(name = "compute_units")
    private long computeUnits;
    @Column(name = "performed_by")
    private String performedBy;
    @Column(name = "performed_at")
    private Instant performedAt;

    protected LatticeOperationRow() {
    }

    LatticeOperationRow(String id, String latticeId, String tenantId, String operation, Map<String, Object> parameters,
                        Map<String, Object> result, long durationMs, long computeUnits, String performedBy,
                        Instant performedAt) {
        this.id = id;
        this.latticeId = latticeId;
        this.tenantId = tenantId;
        this.operation = operation;
        this.parameters = parameters;
        this.result = result;
        this.durationMs = durationMs;
        this.computeUnits = computeUnits;
        this.performedBy = performedBy;
        this.performedAt = performedAt;
    }

    public String getId() { return id; }
    public String getLatticeId() { return latticeId; }
    public String getTenantId() { return tenantId; }
    public String getOperation() { return operation; }
    public Map<String, Object> getParameters() { return parameters; }
    public Map<String, Object> getResult() { return result; }
    public long getDurationMs() { return durationMs; }
    public long getComputeUnits() { return computeUnits; }
    public String getPerformedBy() { return performedBy; }
    public Instant getPerformedAt() { return performedAt; }
}
