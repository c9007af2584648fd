package com.catalytic.projections.lattice;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigInteger;
import java.time.Instant;

/** A row of the {@code lattices} read table. */
@Entity
@Table(name = "lattices")
public class LatticeRow {

    @Id
    private String id;
    @Column(name = "tenant_id")
    private String tenantId;
    private String name;
    private int dimensions;
    private int size;
    private int obstacles;
    private BigInteger vertices;
    private BigInteger edges;
    @Column(name = "memory_bytes")
    private long memoryBytes;
    @Column(name = "created_by")
    private String createdBy;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "deleted_at")
    private Instant deletedAt;

    protected LatticeRow() {
    }

    LatticeRow(String id, String tenantId, String name, int dimensions, int size, int obstacles, BigInteger vertices,
               BigInteger edges, long memoryBytes, String createdBy, Instant createdAt) {
        this.id = id;
        this.tenantId = tenantId;
        this.name = name;
        this.dimensions = dimensions;
        this.size = size;
        this.obstacles = obstacles;
        this.vertices = vertices;
        this.edges = edges;
        this.memoryBytes = memoryBytes;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
    }

    void delete(Instant at) {
        if (deletedAt == null) {
            deletedAt = at;
        }
    }

    public String getId() { return id; }
    public String getTenantId() { return tenantId; }
    public String getName() { return name; }
    public int getDimensions() { return dimensions; }
    public int getSize() { return size; }
    public int getObstacles() { return obstacles; }
    public BigInteger getVertices() { return vertices; }
    public BigInteger getEdges() { return edges; }
    public long getMemoryBytes() { return memoryBytes; }
    public String getCreatedBy() { return createdBy; }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getDeletedAt() { return deletedAt; }
}
