package com.catalytic.deploy.auth;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.credentials.JwtKeys;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signing keys over HTTP: access tokens are typed and carry their key id; an audit checkpoint, signed with the same
 * key, is refused as a bearer token; two nodes in the middle of a key rotation (one signing with the old key and
 * accepting the new, the other the reverse) each accept the tokens of both and publish both in their JWKS.
 */
class SigningKeysTest {

    static Path dir;
    static KeyPair oldPair;
    static KeyPair newPair;
    static String oldKid;
    static String newKid;
    static TestApp oldNode;
    static TestApp newNode;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("catalytic-keys-");
        oldPair = rsa();
        newPair = rsa();
        Path oldPrivate = pem(oldPair, "old", true);
        Path oldPublic = pem(oldPair, "old", false);
        Path newPrivate = pem(newPair, "new", true);
        Path newPublic = pem(newPair, "new", false);
        oldKid = JwtKeys.load(oldPrivate, oldPublic).keyId();
        newKid = JwtKeys.load(newPrivate, newPublic).keyId();
        String schema = TestApp.newSchema();
        // beside the configured JWT key, as keys generate writes it: both nodes open each other's sealed data
        TestApp.writeDatabaseKey(dir.resolve("db_encryption_production.key"));
        // step 1 of a rotation in a cluster: still signing with the old key, already accepting the new one
        oldNode = TestApp.start(schema, Map.of(
                "catalytic.auth.private-key-path", oldPrivate.toString(),
                "catalytic.auth.public-key-path", oldPublic.toString(),
                "catalytic.auth.verify-only-public-key-paths", newPublic.toString()));
        // step 2: signing with the new key, still accepting the old one
        newNode = TestApp.start(schema, Map.of(
                "catalytic.auth.private-key-path", newPrivate.toString(),
                "catalytic.auth.public-key-path", newPublic.toString(),
                "catalytic.auth.verify-only-public-key-paths", oldPublic.toString()));
    }

    @AfterAll
    static void stop() {
        if (newNode != null) {
            newNode.close();
        }
        if (oldNode != null) {
            oldNode.close();
        }
    }

    @Test
    void anAuditCheckpointIsNotAnAccessToken() throws Exception {
        Http http = oldNode.http();
        Accounts.Account owner = Accounts.registerAndLogin(http, "checkpoint");
        JWSHeader accessHeader = SignedJWT.parse(owner.accessToken()).getHeader();
        assertThat(accessHeader.getType()).isEqualTo(new JOSEObjectType("at+jwt"));
        assertThat(accessHeader.getKeyID()).isEqualTo(oldKid);
        assertThat(http.get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);

        Response checkpoint = http.get("/api/audit-logs/checkpoint", bearer(owner.accessToken()));
        assertThat(checkpoint.status()).as(checkpoint.toString()).isEqualTo(200);
        String signature = checkpoint.text("signature");
        JWSHeader header = SignedJWT.parse(signature).getHeader();
        assertThat(header.getType()).isEqualTo(new JOSEObjectType("catalytic-audit-checkpoint+jwt"));
        assertThat(header.getKeyID()).isEqualTo(oldKid);

        for (TestApp node : List.of(oldNode, newNode)) {
            Response asBearer = node.http().get("/api/me", bearer(signature));
            assertThat(asBearer.status()).as(asBearer.toString()).isEqualTo(401);
            assertThat(asBearer.text("code")).isEqualTo("invalid_token");
        }
    }

    @Test
    void onlyTokensTypedAsAccessTokensAreAccepted() throws Exception {
        Accounts.Account owner = Accounts.registerAndLogin(oldNode.http(), "typ");
        JWTClaimsSet claims = SignedJWT.parse(owner.accessToken()).getJWTClaimsSet();
        // the same claims, signed with the service's own key: accepted with the access-token type only
        String typed = sign(oldPair.getPrivate(), oldKid, new JOSEObjectType("at+jwt"), claims);
        assertThat(oldNode.http().get("/api/me", bearer(typed)).status()).isEqualTo(200);
        for (JOSEObjectType other : new JOSEObjectType[] {JOSEObjectType.JWT, null}) {
            Response r = oldNode.http().get("/api/me", bearer(sign(oldPair.getPrivate(), oldKid, other, claims)));
            assertThat(r.status()).as("typ %s: %s", other, r).isEqualTo(401);
            assertThat(r.text("code")).isEqualTo("invalid_token");
        }
    }

    @Test
    void duringARotationBothKeysAreAcceptedAndPublished() throws Exception {
        for (TestApp node : List.of(oldNode, newNode)) {
            Response jwks = node.http().get("/.well-known/jwks.json");
            assertThat(jwks.status()).isEqualTo(200);
            List<String> kids = new ArrayList<>();
            for (JsonNode key : jwks.json().path("keys")) {
                kids.add(key.path("kid").asText());
                assertThat(key.path("alg").asText()).isEqualTo("RS256");
                assertThat(key.path("use").asText()).isEqualTo("sig");
                assertThat(key.has("d")).as("private exponent must never be published").isFalse();
            }
            // the signing key first, then the verify-only one
            assertThat(kids).containsExactly(node == oldNode ? oldKid : newKid, node == oldNode ? newKid : oldKid);
            // every published key verifies what its kid names
            for (RSAKey key : JWKSet.parse(jwks.raw()).getKeys().stream().map(k -> (RSAKey) k).toList()) {
                RSAPublicKey expected = (RSAPublicKey) (key.getKeyID().equals(oldKid) ? oldPair : newPair).getPublic();
                assertThat(key.toRSAPublicKey().getModulus()).isEqualTo(expected.getModulus());
            }
        }

        Accounts.Account signedOld = Accounts.registerAndLogin(oldNode.http(), "rot-old");
        Accounts.Account signedNew = Accounts.registerAndLogin(newNode.http(), "rot-new");
        assertThat(SignedJWT.parse(signedOld.accessToken()).getHeader().getKeyID()).isEqualTo(oldKid);
        assertThat(SignedJWT.parse(signedNew.accessToken()).getHeader().getKeyID()).isEqualTo(newKid);
        for (TestApp node : List.of(oldNode, newNode)) {
            for (String token : List.of(signedOld.accessToken(), signedNew.accessToken())) {
                Response me = node.http().get("/api/me", bearer(token));
                assertThat(me.status()).as(me.toString()).isEqualTo(200);
            }
        }

        // a key that is not configured is refused, whatever kid the token names
        KeyPair stranger = rsa();
        String strangerKid = "stranger";
        JWTClaimsSet claims = SignedJWT.parse(signedOld.accessToken()).getJWTClaimsSet();
        for (String kid : new String[] {strangerKid, oldKid, newKid}) {
            String forged = sign(stranger.getPrivate(), kid, new JOSEObjectType("at+jwt"), claims);
            for (TestApp node : List.of(oldNode, newNode)) {
                Response r = node.http().get("/api/me", bearer(forged));
                assertThat(r.status()).as("kid %s: %s", kid, r).isEqualTo(401);
                assertThat(r.text("code")).isEqualTo("invalid_token");
            }
        }
    }

    private static String sign(PrivateKey key, String kid, JOSEObjectType type, JWTClaimsSet claims) throws Exception {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid);
        if (type != null) {
            header.type(type);
        }
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static Path pem(KeyPair pair, String name, boolean priv) {
        Path file = dir.resolve("jwt_" + name + (priv ? "_private.pem" : "_public.pem"));
        JwtKeys.writePem(file, priv ? "PRIVATE KEY" : "PUBLIC KEY",
                (priv ? pair.getPrivate() : pair.getPublic()).getEncoded(), priv);
        return file;
    }

    /** 2048 bits: enough for a test, and quicker to generate than the service's 3072. */
    private static KeyPair rsa() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        return gen.generateKeyPair();
    }
}
