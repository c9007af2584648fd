package com.catalytic.infrastructure.credentials;

import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;
import com.catalytic.infrastructure.secrets.Ids;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues and verifies RS256 access tokens ({@code iss, aud, sub, tenant_id, role, sid, session_epoch, jti, iat,
 * exp}), typed {@code at+jwt} (RFC 9068), and signs audit checkpoints under a type of their own, so that nothing
 * else this service signs is ever accepted as an access token.
 */
public class TokenService {

    /** The JWS {@code typ} of access tokens. */
    public static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");
    /** The JWS {@code typ} of signed audit checkpoints. */
    public static final JOSEObjectType CHECKPOINT_TYPE = new JOSEObjectType("catalytic-audit-checkpoint+jwt");

    private static final long CLOCK_SKEW_SECONDS = 30;
    private static final int MAX_TOKEN_LENGTH = 4096;

    /** A verified access token: who calls, and the session epoch its session started in. */
    public record AccessToken(Caller caller, int sessionEpoch) {
    }

    private final JwtKeys keys;
    private final AuthProperties props;
    private final Clock clock;
    private final RSASSASigner signer;
    private final Map<String, RSASSAVerifier> verifiers = new ConcurrentHashMap<>();

    public TokenService(JwtKeys keys, AuthProperties props, Clock clock) {
        this.keys = keys;
        this.props = props;
        this.clock = clock;
        this.signer = new RSASSASigner(keys.privateKey());
    }

    public String issueAccessToken(String userId, String tenantId, String role, String sessionId, int sessionEpoch) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(props.issuer())
                .audience(props.audience())
                .subject(userId)
                .claim("tenant_id", tenantId)
                .claim("role", role)
                .claim("sid", sessionId)
                .claim("session_epoch", sessionEpoch)
                .jwtID(Ids.newId())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(props.accessTokenTtl())))
                .build();
        return sign(ACCESS_TOKEN_TYPE, claims);
    }

    /** An audit checkpoint as a compact JWS (RS256, {@code kid}, typed as a checkpoint): verifiable with the JWKS. */
    public String signCheckpoint(Map<String, Object> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(props.issuer()).issueTime(Date.from(clock.instant()));
        claims.forEach(b::claim);
        return sign(CHECKPOINT_TYPE, b.build());
    }

    private String sign(JOSEObjectType type, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keys.keyId()).type(type).build(),
                claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign " + type, e);
        }
        return jwt.serialize();
    }

    public long accessTokenTtlSeconds() {
        return props.accessTokenTtl().toSeconds();
    }

    /**
     * Verifies type, algorithm, key ({@code kid}), signature, issuer, audience and expiry; the caller it names, or
     * 401 {@code invalid_token} ({@code token_expired} once expired).
     */
    public AccessToken verify(String token) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw invalid("token is too long");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWSHeader header = jwt.getHeader();
            if (!ACCESS_TOKEN_TYPE.equals(header.getType())) {
                throw invalid("token is not an access token");
            }
            RSAPublicKey key = keys.verificationKey(header.getKeyID())
                    .orElseThrow(() -> invalid("token was signed with an unknown key"));
            RSASSAVerifier verifier = verifiers.computeIfAbsent(header.getKeyID(), kid -> new RSASSAVerifier(key));
            if (!JWSAlgorithm.RS256.equals(header.getAlgorithm()) || !jwt.verify(verifier)) {
                throw invalid("token signature is not valid");
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            if (c.getExpirationTime() == null || c.getExpirationTime().toInstant().plusSeconds(CLOCK_SKEW_SECONDS).isBefore(now)) {
                throw DomainException.unauthorized("token_expired", "access token has expired");
            }
            if (!props.issuer().equals(c.getIssuer()) || c.getAudience() == null || !c.getAudience().contains(props.audience())) {
                throw invalid("token was not issued for this service");
            }
            Role role = Role.fromWire(c.getStringClaim("role"));
            String tenantId = c.getStringClaim("tenant_id");
            String sid = c.getStringClaim("sid");
            Integer epoch = c.getIntegerClaim("session_epoch");
            if (role == null || tenantId == null || sid == null || epoch == null || c.getSubject() == null) {
                throw invalid("token lacks required claims");
            }
            return new AccessToken(new Caller(tenantId, c.getSubject(), role, sid, null, Set.of()), epoch);
        } catch (ParseException | JOSEException e) {
            throw invalid("token is malformed");
        }
    }

    private static DomainException invalid(String message) {
        return DomainException.unauthorized("invalid_token", message);
    }
}
