package com.catalytic.query.audit;

import com.catalytic.api.error.DomainException;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads a signed audit checkpoint (the {@code signature} of {@code GET /api/audit-logs/checkpoint}): an RS256 JWS
 * whose signature must verify with one of the service's public keys, chosen by {@code kid} (a key without an id, as
 * read from a PEM file, is tried for any). It is recognised by its signed claims, not by its header's {@code typ}.
 */
public final class AuditCheckpointVerifier {

    private static final int MAX_LENGTH = 8192;
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    /** What the service signed: the tenant's chain had {@code count} entries, the last with hash {@code headHash}. */
    public record Checkpoint(String tenantId, long count, String headHash, String checkpointAt) {
    }

    /** Either the checkpoint, its signature verified, or why it is not one the service signed. */
    public record Outcome(Checkpoint checkpoint, String problem) {

        public boolean verified() {
            return checkpoint != null;
        }
    }

    private final JWKSet keys;

    public AuditCheckpointVerifier(JWKSet keys) {
        this.keys = Objects.requireNonNull(keys);
    }

    /** 422 {@code invalid_checkpoint} when the value is not a compact JWS at all. */
    public Outcome read(String jws) {
        if (jws == null || jws.isBlank()) {
            throw invalid("checkpoint is required");
        }
        if (jws.length() > MAX_LENGTH) {
            throw invalid("checkpoint is too long");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(jws.trim());
        } catch (ParseException e) {
            throw invalid("checkpoint is not a compact JWS (the signature field of GET /api/audit-logs/checkpoint)");
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
            return problem("the checkpoint is not signed with RS256");
        }
        RSAKey key = keyFor(jwt.getHeader().getKeyID(), jwt);
        if (key == null) {
            return problem("the checkpoint's signature does not verify with the service's public key");
        }
        try {
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            String tenantId = claims.getStringClaim("tenant_id");
            Long count = claims.getLongClaim("count");
            String headHash = claims.getStringClaim("head_hash");
            if (tenantId == null || count == null || count < 0 || headHash == null || !HASH.matcher(headHash).matches()) {
                return problem("the signed claims are not a checkpoint's (tenant_id, count, head_hash)");
            }
            return new Outcome(new Checkpoint(tenantId, count, headHash, claims.getStringClaim("checkpoint_at")), null);
        } catch (ParseException e) {
            return problem("the signed claims are not a checkpoint's (tenant_id, count, head_hash)");
        }
    }

    /** The key that verifies the signature: the one named by kid, or one without an id. */
    private RSAKey keyFor(String kid, SignedJWT jwt) {
        for (JWK jwk : keys.getKeys()) {
            if (jwk instanceof RSAKey rsa && (jwk.getKeyID() == null || jwk.getKeyID().equals(kid))) {
                try {
                    if (jwt.verify(new RSASSAVerifier(rsa))) {
                        return rsa;
                    }
                } catch (JOSEException e) {
                    // not this key
                }
            }
        }
        return null;
    }

    private static Outcome problem(String reason) {
        return new Outcome(null, reason);
    }

    private static DomainException invalid(String message) {
        return DomainException.validation("checkpoint", "invalid_checkpoint", message);
    }
}
