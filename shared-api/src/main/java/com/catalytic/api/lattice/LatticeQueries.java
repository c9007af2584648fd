package com.catalytic.api.lattice;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The read side of lattices: every query is scoped by the caller's tenant; another tenant's lattice is not found. */
public final class LatticeQueries {

    private LatticeQueries() {
    }

    /**
     * The tenant's live lattices, newest first, at most {@code limit}; {@code beforeCreatedAt}/{@code beforeId} is the
     * cursor (exclusive), both null for the first page. Answered with a list of {@link LatticeView}.
     */
    public record ListLatticesQuery(String tenantId, Instant beforeCreatedAt, String beforeId, int limit) {
    }

    /** One live lattice of the tenant: answered with {@link LatticeView}, or null (unknown, deleted, another tenant's). */
    public record FindLatticeQuery(String tenantId, String latticeId) {
    }

    /**
     * The operations performed on one live lattice of the tenant, newest first, at most {@code limit}; the cursor as in
     * {@link ListLatticesQuery}. Answered with {@link LatticeOperationPage}, or null when the lattice is not found.
     */
    public record ListLatticeOperationsQuery(String tenantId, String latticeId, Instant beforePerformedAt,
                                             String beforeId, int limit) {
    }

    /** A lattice as the API shows it; {@code vertices} and {@code edges} are exact, {@code obstacles} is their count. */
    public record LatticeView(String id, String name, int dimensions, int size, BigInteger vertices, BigInteger edges,
                              int obstacles, long memoryBytes, Instant createdAt) {
    }

    /** {@code parameters}: what was asked; {@code result}: a summary of what came out. */
    public record LatticeOperationView(String id, String operation, Map<String, Object> parameters,
                                       Map<String, Object> result, long durationMs, long computeUnits,
                                       String performedBy, Instant performedAt) {
    }

    public record LatticeOperationPage(List<LatticeOperationView> operations) {
    }
}
