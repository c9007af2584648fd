package com.catalytic.infrastructure.credentials;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The RS256 signing pair, read from PEM files (PKCS#8 private key, X.509 public key), and the public keys that
 * only verify: during a rotation the previous key (or, before it, the next one), so that tokens signed by either
 * are accepted. Every key is known by its {@code kid}, a thumbprint of the public key.
 */
public final class JwtKeys {

    private final RSAPrivateKey privateKey;
    private final RSAPublicKey publicKey;
    private final String keyId;
    private final Map<String, RSAPublicKey> verificationKeys;

    public JwtKeys(RSAPrivateKey privateKey, RSAPublicKey publicKey) {
        this(privateKey, publicKey, List.of());
    }

    private JwtKeys(RSAPrivateKey privateKey, RSAPublicKey publicKey, List<RSAPublicKey> verifyOnly) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = thumbprint(publicKey);
        Map<String, RSAPublicKey> keys = new LinkedHashMap<>();
        keys.put(keyId, publicKey);
        verifyOnly.forEach(k -> keys.putIfAbsent(thumbprint(k), k));
        this.verificationKeys = Collections.unmodifiableMap(keys);
    }

    /** These keys plus public keys that verify tokens but never sign (PEM files, X.509). */
    public JwtKeys withVerifyOnly(List<Path> publicPems) {
        List<RSAPublicKey> extra = new ArrayList<>();
        for (Path pem : publicPems) {
            extra.add(loadPublic(pem));
        }
        return new JwtKeys(privateKey, publicKey, extra);
    }

    /** An X.509 PEM RSA public key. */
    public static RSAPublicKey loadPublic(Path publicPem) {
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                    new X509EncodedKeySpec(pemBody(publicPem, "PUBLIC KEY")));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException("key file " + publicPem + " is not a valid RSA public key (X.509 PEM): "
                    + e.getMessage(), e);
        }
    }

    public static JwtKeys load(Path privatePem, Path publicPem) {
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            RSAPrivateKey priv = (RSAPrivateKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(
                    pemBody(privatePem, "PRIVATE KEY")));
            RSAPublicKey pub = (RSAPublicKey) rsa.generatePublic(new X509EncodedKeySpec(pemBody(publicPem, "PUBLIC KEY")));
            if (!priv.getModulus().equals(pub.getModulus())) {
                throw new IllegalStateException("the JWT private and public keys are not a pair");
            }
            return new JwtKeys(priv, pub);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("JWT key files are not a valid RSA pair (PKCS#8 private key, X.509 public key): "
                    + e.getMessage(), e);
        }
    }

    /** Reads the pair when both files exist, otherwise generates and writes it (development keys only). */
    public static JwtKeys loadOrGenerate(Path privatePem, Path publicPem) {
        if (Files.exists(privatePem) && Files.exists(publicPem)) {
            return load(privatePem, publicPem);
        }
        if (Files.exists(privatePem) || Files.exists(publicPem)) {
            throw new IllegalStateException("only one of " + privatePem + " and " + publicPem
                    + " exists; delete it to have a new development pair generated");
        }
        KeyPair pair = generate();
        writePem(privatePem, "PRIVATE KEY", pair.getPrivate().getEncoded(), true);
        writePem(publicPem, "PUBLIC KEY", pair.getPublic().getEncoded(), false);
        return new JwtKeys((RSAPrivateKey) pair.getPrivate(), (RSAPublicKey) pair.getPublic());
    }

    public static KeyPair generate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(3072);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a PEM file; private ones get mode 600 where the file system supports it. */
    public static void writePem(Path file, String type, byte[] der, boolean secret) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        String pem = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
        writeFile(file, pem.getBytes(StandardCharsets.US_ASCII), secret);
    }

    /** Creates the file (never overwriting); secret files are created with mode 600, never readable by others. */
    public static void writeFile(Path file, byte[] content, boolean secret) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            Files.write(file, content, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] pemBody(Path file, String type) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file, e);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < 0) {
            throw new IllegalStateException("key file " + file + " is not a PEM '" + type + "' (PKCS#8 / X.509) file");
        }
        return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    }

    private static String thumbprint(RSAPublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public RSAPrivateKey privateKey() { return privateKey; }

    public RSAPublicKey publicKey() { return publicKey; }

    public String keyId() { return keyId; }

    /** The key that verifies tokens carrying this {@code kid}: the signing key's or a verify-only one. */
    public Optional<RSAPublicKey> verificationKey(String kid) {
        return kid == null ? Optional.empty() : Optional.ofNullable(verificationKeys.get(kid));
    }

    /** The signing key's public half as a JWK. */
    public RSAKey publicJwk() {
        return jwk(keyId, publicKey);
    }

    /** Every key that verifies tokens, the signing key first: the JWKS document. */
    public List<RSAKey> publicJwks() {
        return verificationKeys.entrySet().stream().map(e -> jwk(e.getKey(), e.getValue())).toList();
    }

    private static RSAKey jwk(String kid, RSAPublicKey key) {
        return new RSAKey.Builder(key).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
    }

}
