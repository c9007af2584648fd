package com.catalytic.api.audit;

import java.time.Instant;
import java.util.List;

/** Reading a tenant's audit trail (the {@code audit_logs} and {@code audit_heads} read model). */
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

    /** Entries of a tenant's trail: {@code from} inclusive, {@code to} exclusive; a null field does not filter. */
    public record AuditFilter(String tenantId, Instant from, Instant to, String actorId, String action,
                              String targetType, String targetId) {
    }

    /** At most {@code limit} entries, newest first, below {@code beforeSeq} if given: {@link AuditEntries}. */
    public record ListAuditEntriesQuery(AuditFilter filter, Long beforeSeq, int limit) {
    }

    /** At most {@code limit} entries, oldest first, after {@code afterSeq} (0: from the start): {@link AuditEntries}. */
    public record ExportAuditEntriesQuery(AuditFilter filter, long afterSeq, int limit) {
    }

    public record AuditEntries(List<AuditEntry> entries) {
    }

    public record AuditEntry(String id, long seq, Long globalIndex, String actorType, String actorId, String apiKeyId,
                             String action, String targetType, String targetId, String ip, String userAgent,
                             String requestId, Instant occurredAt, String changes, String prevHash, String hash) {
    }
}
