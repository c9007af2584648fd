package com.catalytic.query.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.api.error.DomainException;
import com.catalytic.query.audit.AuditCheckpointVerifier.Outcome;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuditCheckpointVerifierTest {

    static final String HEAD = "ab".repeat(32);
    static RSAKey service;
    static RSAKey stranger;
    static AuditCheckpointVerifier verifier;

    @BeforeAll
    static void keys() throws Exception {
        service = new RSAKeyGenerator(2048).keyID("service-kid").generate();
        stranger = new RSAKeyGenerator(2048).keyID("service-kid").generate();
        verifier = new AuditCheckpointVerifier(new JWKSet(service.toPublicJWK()));
    }

    static String sign(RSAKey key, String typ, Map<String, Object> claims) throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer("catalytic");
        claims.forEach(b::claim);
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID());
        if (typ != null) {
            header.type(new JOSEObjectType(typ));
        }
        SignedJWT jwt = new SignedJWT(header.build(), b.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    static Map<String, Object> claims(String tenant, long count) {
        return Map.of("tenant_id", tenant, "count", count, "head_hash", HEAD, "checkpoint_at", "2026-12-01T10:00:00Z");
    }

    @Test
    void aCheckpointSignedByTheServiceIsReadWhateverItsTyp() throws Exception {
        for (String typ : new String[] {null, "JWT", "catalytic-audit-checkpoint+jwt"}) {
            Outcome o = verifier.read(sign(service, typ, claims("t1", 7)));
            assertThat(o.problem()).as("typ %s", typ).isNull();
            assertThat(o.checkpoint()).isEqualTo(new AuditCheckpointVerifier.Checkpoint("t1", 7, HEAD,
                    "2026-12-01T10:00:00Z"));
        }
    }

    @Test
    void aKeyWithoutAnIdIsTriedForAnyKid() throws Exception {
        AuditCheckpointVerifier fromPem = new AuditCheckpointVerifier(new JWKSet(
                new RSAKey.Builder(service.toRSAPublicKey()).build()));
        assertThat(fromPem.read(sign(service, null, claims("t1", 3))).verified()).isTrue();
        assertThat(fromPem.read(sign(stranger, null, claims("t1", 3))).verified()).isFalse();
    }

    @Test
    void anotherKeyUnderTheSameKidIsRefused() throws Exception {
        Outcome o = verifier.read(sign(stranger, null, claims("t1", 7)));
        assertThat(o.verified()).isFalse();
        assertThat(o.problem()).contains("signature does not verify");
    }

    @Test
    void changedClaimsUnderTheOriginalSignatureAreRefused() throws Exception {
        String[] parts = sign(service, null, claims("t1", 7)).split("\\.");
        String forgedPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"catalytic\",\"tenant_id\":\"t1\",\"count\":6,\"head_hash\":\"" + HEAD + "\"}").getBytes());
        Outcome o = verifier.read(parts[0] + "." + forgedPayload + "." + parts[2]);
        assertThat(o.verified()).isFalse();
    }

    @Test
    void otherTokensOfTheServiceAreNotCheckpoints() throws Exception {
        String accessToken = sign(service, "JWT", Map.of("sub", "u1", "tenant_id", "t1", "role", "owner", "sid", "s1"));
        assertThat(verifier.read(accessToken).problem()).contains("not a checkpoint's");
        assertThat(verifier.read(sign(service, null, Map.of("tenant_id", "t1", "count", "7", "head_hash", HEAD)))
                .verified()).as("count as a string").isFalse();
        assertThat(verifier.read(sign(service, null, Map.of("tenant_id", "t1", "count", 7, "head_hash", "00")))
                .verified()).as("a short head hash").isFalse();
    }

    @Test
    void valuesThatAreNotASignedJwsAreInvalidInput() {
        String unsigned = new PlainJWT(new JWTClaimsSet.Builder().claim("tenant_id", "t1").claim("count", 1)
                .claim("head_hash", HEAD).build()).serialize();
        for (String bad : new String[] {"", "  ", "not a jws", "a.b", unsigned, "x".repeat(10_000)}) {
            assertThatThrownBy(() -> verifier.read(bad)).as("'%s'", bad.length() > 20 ? bad.substring(0, 20) : bad)
                    .isInstanceOfSatisfying(DomainException.class, e -> {
                        assertThat(e.code()).isEqualTo("invalid_checkpoint");
                        assertThat(e.field()).isEqualTo("checkpoint");
                        assertThat(e.kind()).isEqualTo(DomainException.Kind.VALIDATION);
                    });
        }
    }
}
