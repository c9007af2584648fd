package com.catalytic.infrastructure.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.api.error.DomainException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access tokens are typed and verified by key id; nothing else the service signs passes as one. */
class TokenServiceTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final AuthProperties PROPS = new AuthProperties(null, null, null, null, null, null, null, 0, 0, 0,
            null, 0, null, null, null, 0, 0, null, 0, null);

    private static KeyPair current;
    private static KeyPair previous;

    @BeforeAll
    static void keys() {
        current = rsa();
        previous = rsa();
    }

    /** Smaller than the service's keys, so that the test does not spend its time generating them. */
    private static KeyPair rsa() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JwtKeys pair(KeyPair p) {
        return new JwtKeys((RSAPrivateKey) p.getPrivate(), (RSAPublicKey) p.getPublic());
    }

    @Test
    void anAccessTokenIsTypedAndCarriesItsKeyId() throws Exception {
        TokenService tokens = new TokenService(pair(current), PROPS, CLOCK);
        String token = tokens.issueAccessToken("user-1", "tenant-1", "owner", "session-1", 2);
        JWSHeader header = SignedJWT.parse(token).getHeader();
        assertThat(header.getType()).isEqualTo(new JOSEObjectType("at+jwt"));
        assertThat(header.getKeyID()).isEqualTo(pair(current).keyId());
        TokenService.AccessToken verified = tokens.verify(token);
        assertThat(verified.caller().userId()).isEqualTo("user-1");
        assertThat(verified.caller().sessionId()).isEqualTo("session-1");
        assertThat(verified.sessionEpoch()).isEqualTo(2);
    }

    @Test
    void aCheckpointIsNeverAnAccessToken() throws Exception {
        TokenService tokens = new TokenService(pair(current), PROPS, CLOCK);
        // a checkpoint whose claims happen to look like an access token's: its type alone refuses it
        Map<String, Object> claims = new LinkedHashMap<>(accessClaims());
        String checkpoint = tokens.signCheckpoint(claims);
        JWSHeader header = SignedJWT.parse(checkpoint).getHeader();
        assertThat(header.getType()).isEqualTo(new JOSEObjectType("catalytic-audit-checkpoint+jwt"));
        assertThat(header.getKeyID()).isEqualTo(pair(current).keyId());
        refused(() -> tokens.verify(checkpoint));
    }

    @Test
    void onlyTheAccessTokenTypeIsAccepted() throws Exception {
        TokenService tokens = new TokenService(pair(current), PROPS, CLOCK);
        String kid = pair(current).keyId();
        assertThat(tokens.verify(signed(current, kid, new JOSEObjectType("at+jwt"))).caller().userId())
                .isEqualTo("user-1");
        for (JOSEObjectType other : new JOSEObjectType[] {JOSEObjectType.JWT, new JOSEObjectType("JOSE"), null}) {
            String token = signed(current, kid, other);
            refused(() -> tokens.verify(token));
        }
    }

    @Test
    void tokensAreVerifiedWithTheKeyTheirKidNames(@TempDir Path dir) throws Exception {
        Path previousPem = dir.resolve("previous_public.pem");
        JwtKeys.writePem(previousPem, "PUBLIC KEY", previous.getPublic().getEncoded(), false);
        JwtKeys rotated = pair(current).withVerifyOnly(List.of(previousPem));
        TokenService tokens = new TokenService(rotated, PROPS, CLOCK);
        String previousKid = pair(previous).keyId();

        assertThat(rotated.publicJwks()).extracting(k -> k.getKeyID()).containsExactly(rotated.keyId(), previousKid);
        // signed by the previous key: still accepted during the rotation
        assertThat(tokens.verify(signed(previous, previousKid, new JOSEObjectType("at+jwt"))).caller().userId())
                .isEqualTo("user-1");
        // new tokens are signed by the current key only
        assertThat(SignedJWT.parse(tokens.issueAccessToken("u", "t", "viewer", "s", 0)).getHeader().getKeyID())
                .isEqualTo(rotated.keyId());
        // a kid that names no configured key, none at all, or the wrong key for the signature
        KeyPair stranger = rsa();
        String strangerKid = pair(stranger).keyId();
        refused(() -> tokens.verify(signed(stranger, strangerKid, new JOSEObjectType("at+jwt"))));
        refused(() -> tokens.verify(signed(current, null, new JOSEObjectType("at+jwt"))));
        refused(() -> tokens.verify(signed(stranger, previousKid, new JOSEObjectType("at+jwt"))));
        // without the previous key configured, its tokens are refused
        TokenService withoutPrevious = new TokenService(pair(current), PROPS, CLOCK);
        refused(() -> withoutPrevious.verify(signed(previous, previousKid, new JOSEObjectType("at+jwt"))));
    }

    private static void refused(ThrowingCallable verification) {
        assertThatThrownBy(verification).isInstanceOfSatisfying(DomainException.class,
                e -> assertThat(e.code()).isEqualTo("invalid_token"));
    }

    private static Map<String, Object> accessClaims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", List.of("catalytic-api"));
        claims.put("sub", "user-1");
        claims.put("tenant_id", "tenant-1");
        claims.put("role", "owner");
        claims.put("sid", "session-1");
        claims.put("session_epoch", 0);
        claims.put("exp", NOW.plus(Duration.ofMinutes(10)).getEpochSecond());
        return claims;
    }

    /** A token with every claim of an access token, signed by {@code keys}, with this header. */
    private static String signed(KeyPair keys, String kid, JOSEObjectType type) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer("catalytic").audience("catalytic-api")
                .subject("user-1").claim("tenant_id", "tenant-1").claim("role", "owner").claim("sid", "session-1")
                .claim("session_epoch", 0).issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(10))));
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid);
        if (type != null) {
            header.type(type);
        }
        SignedJWT jwt = new SignedJWT(header.build(), claims.build());
        jwt.sign(new RSASSASigner(keys.getPrivate()));
        return jwt.serialize();
    }
}
