package com.catalytic.command.auth;

import com.catalytic.api.auth.Caller;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.user.Role;
import com.catalytic.command.infra.Ids;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Set;

/** Issues and verifies RS256 access tokens ({@code iss, aud, sub, tenant_id, role, sid, jti, iat, exp}). */
public class TokenService {

    private static final long CLOCK_SKEW_SECONDS = 30;
    private static final int MAX_TOKEN_LENGTH = 4096;

    private final JwtKeys keys;
    private final AuthProperties props;
    private final Clock clock;
    private final RSASSASigner signer;
    private final RSASSAVerifier verifier;

    public TokenService(JwtKeys keys, AuthProperties props, Clock clock) {
        this.keys = keys;
        this.props = props;
        this.clock = clock;
        this.signer = new RSASSASigner(keys.privateKey());
        this.verifier = new RSASSAVerifier(keys.publicKey());
    }

    public String issueAccessToken(String userId, String tenantId, String role, String sessionId) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(props.issuer())
                .audience(props.audience())
                .subject(userId)
                .claim("tenant_id", tenantId)
                .claim("role", role)
                .claim("sid", sessionId)
                .jwtID(Ids.newId())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(props.accessTokenTtl())))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keys.keyId())
                .type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign access token", e);
        }
        return jwt.serialize();
    }

    /** A compact JWS (RS256, this service's key and {@code kid}) over arbitrary claims: verifiable with the JWKS. */
    public String sign(java.util.Map<String, Object> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(props.issuer()).issueTime(Date.from(clock.instant()));
        claims.forEach(b::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keys.keyId()).build(), b.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign", e);
        }
        return jwt.serialize();
    }

    public long accessTokenTtlSeconds() {
        return props.accessTokenTtl().toSeconds();
    }

    /** Verifies signature, algorithm, issuer, audience and expiry; the caller it names, or 401 {@code invalid_token}. */
    public Caller verify(String token) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw invalid("token is too long");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
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
            if (role == null || tenantId == null || sid == null || c.getSubject() == null) {
                throw invalid("token lacks required claims");
            }
            return new Caller(tenantId, c.getSubject(), role, sid, null, Set.of());
        } catch (ParseException | JOSEException e) {
            throw invalid("token is malformed");
        }
    }

    private static DomainException invalid(String message) {
        return DomainException.unauthorized("invalid_token", message);
    }
}
