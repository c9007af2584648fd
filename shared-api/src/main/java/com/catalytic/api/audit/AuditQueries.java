package com.catalytic.api.audit;

public final class AuditQueries {

    private AuditQueries() {
    }

    /** The head of a tenant's audit chain; answered with {@link AuditHead} (seq 0 and the genesis hash if empty). */
    public record AuditHeadQuery(String tenantId) {
    }

    public record AuditHead(String tenantId, long seq, String hash) {
    }

    /**
     * Re-hashes a tenant's audit chain; with a signed checkpoint's count and head hash (already verified), also checks
     * that the chain still passes through that head. Answered with {@link AuditChainVerification}.
     */
    public record VerifyAuditChainQuery(String tenantId, Long checkpointCount, String checkpointHeadHash) {
    }

    public record AuditChainVerification(String tenantId, boolean valid, long checked, String headHash,
                                         BrokenLink firstBroken) {
    }

    /** The first entry at which the chain fails; {@code code} is {@code chain_broken} or {@code checkpoint_mismatch}. */
    public record BrokenLink(long seq, String id, String code, String reason) {
    }
}
