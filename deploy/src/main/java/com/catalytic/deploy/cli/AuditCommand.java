package com.catalytic.deploy.cli;

import com.catalytic.api.error.DomainException;
import com.catalytic.deploy.config.DatabaseUrl;
import com.catalytic.projections.audit.AuditExportVerifier;
import com.catalytic.projections.audit.AuditVerifier.Checkpoint;
import com.catalytic.projections.audit.AuditVerifier.Result;
import com.catalytic.projections.audit.AuditVerifier;
import com.catalytic.query.audit.AuditCheckpointVerifier.Outcome;
import com.catalytic.query.audit.AuditCheckpointVerifier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Audit trail tools.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.VerifyExport.class})
public class AuditCommand {

    private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Re-hash the audit chains from the rows' content and report the first broken link; with "
                    + "--checkpoint, also check that the checkpoint's tenant chain still passes through its signed "
                    + "head. Exit code 0 when every chain is intact, 1 otherwise, 2 on unusable input.")
    public static class Verify implements Callable<Integer> {

        @Option(names = "--tenant", description = "verify one tenant (default: every tenant)")
        String tenant;

        @Option(names = "--checkpoint", paramLabel = "FILE|JWS", description = "a signed checkpoint kept from "
                + "GET /api/audit-logs/checkpoint: its signature (a JWS), or a file holding it or the whole answer")
        String checkpoint;

        @Option(names = "--public-key", paramLabel = "FILE", description = "the key that verifies --checkpoint: a PEM "
                + "public key or a JWKS document (/.well-known/jwks.json); default: $JWT_PUBLIC_KEY_PATH, else the "
                + "development key in $CATALYTIC_DATA_DIR/keys")
        String publicKey;

        @Option(names = "--database-url", description = "default: $DATABASE_URL, else the embedded database")
        String databaseUrl;

        @Override
        public Integer call() {
            DatabaseUrl db = DatabaseUrl.forCommand(databaseUrl);
            // one connection for all the verifier's pages
            SingleConnectionDataSource ds = new SingleConnectionDataSource(db.jdbcUrl(), true);
            if (db.username() != null) {
                ds.setUsername(db.username());
                ds.setPassword(db.password());
            }
            List<Result> results;
            try {
                AuditVerifier verifier = new AuditVerifier(ds);
                if (checkpoint != null) {
                    return verifyAgainstCheckpoint(verifier);
                }
                results = tenant != null ? List.of(verifier.verify(tenant)) : verifier.verifyAll();
            } finally {
                ds.destroy();
            }
            boolean allValid = true;
            for (Result r : results) {
                allValid &= print(r);
            }
            System.out.println(results.size() + " chain(s) checked, " + (allValid ? "all intact" : "BROKEN"));
            return allValid ? 0 : 1;
        }

        private int verifyAgainstCheckpoint(AuditVerifier verifier) {
            Outcome outcome;
            try {
                outcome = new AuditCheckpointVerifier(keys(publicKey)).read(checkpointJws(checkpoint));
            } catch (DomainException | IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            if (!outcome.verified()) {
                System.out.println("BROKEN  checkpoint: " + outcome.problem() + " (" + AuditVerifier.CHECKPOINT_MISMATCH
                        + ")");
                return 1;
            }
            AuditCheckpointVerifier.Checkpoint c = outcome.checkpoint();
            if (tenant != null && !tenant.equals(c.tenantId())) {
                System.out.println("BROKEN  checkpoint: it is of tenant " + c.tenantId() + ", not " + tenant + " ("
                        + AuditVerifier.CHECKPOINT_MISMATCH + ")");
                return 1;
            }
            Result r = verifier.verify(c.tenantId(), new Checkpoint(c.count(), c.headHash()));
            boolean valid = print(r);
            if (valid) {
                System.out.println("OK      checkpoint of " + c.checkpointAt() + ": entry " + c.count()
                        + " still has its signed head hash " + c.headHash());
            }
            return valid ? 0 : 1;
        }

        private static boolean print(Result r) {
            if (r.valid()) {
                System.out.println("OK      tenant " + r.tenantId() + ": " + r.checked() + " entries, head "
                        + r.headHash());
                return true;
            }
            System.out.println("BROKEN  tenant " + r.tenantId() + ": entry " + r.firstBroken().seq()
                    + (r.firstBroken().id() != null ? " (" + r.firstBroken().id() + ")" : "") + ": "
                    + r.firstBroken().reason() + " (" + r.firstBroken().code() + "); " + r.checked()
                    + " entries intact before it");
            return false;
        }

        /** The JWS itself, or read from a file holding it or the checkpoint answer's JSON. */
        static String checkpointJws(String checkpoint) {
            String value = checkpoint.trim();
            if (COMPACT_JWS.matcher(value).matches()) {
                return value;
            }
            String text = read(Path.of(value)).trim();
            if (!text.startsWith("{")) {
                return text;
            }
            try {
                JsonNode signature = new ObjectMapper().readTree(text).path("signature");
                if (!signature.isTextual()) {
                    throw new IllegalArgumentException(value + " has no \"signature\" field");
                }
                return signature.asText();
            } catch (IOException e) {
                throw new IllegalArgumentException(value + " is not JSON: " + e.getMessage());
            }
        }

        /** The public key(s): a JWKS document, one JWK, or a PEM public key (which has no key id). */
        static JWKSet keys(String publicKey) {
            Path file = Path.of(publicKey != null ? publicKey : defaultPublicKey());
            String text = read(file).trim();
            try {
                if (text.startsWith("{")) {
                    return text.contains("\"keys\"") ? JWKSet.parse(text) : new JWKSet(JWK.parse(text));
                }
                String body = text.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
                RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA")
                        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
                return new JWKSet(new RSAKey.Builder(key).build());
            } catch (ParseException | GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
                throw new IllegalArgumentException(file + " is not a PEM public key or a JWKS document: "
                        + e.getMessage());
            }
        }

        private static String defaultPublicKey() {
            String configured = System.getenv("JWT_PUBLIC_KEY_PATH");
            if (configured != null && !configured.isBlank()) {
                return configured;
            }
            return Path.of(System.getenv().getOrDefault("CATALYTIC_DATA_DIR", "./data"), "keys", "jwt_dev_public.pem")
                    .toString();
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "verify-export", mixinStandardHelpOptions = true,
            description = "Verify an audit export (GET /api/audit-logs/export, NDJSON, without filters) against a "
                    + "signed checkpoint, with no database and no trust in the service: every row re-hashed, "
                    + "nothing missing, repeated, reordered or changed up to the checkpoint's entry, whose signed "
                    + "head hash it must reach. Names the first bad row. Exit 0 intact, 1 not, 2 unusable input.")
    public static class VerifyExport implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "EXPORT", description = "the NDJSON export file")
        Path export;

        @Option(names = "--checkpoint", required = true, paramLabel = "FILE|JWS", description = "the signed "
                + "checkpoint (GET /api/audit-logs/checkpoint): its signature, or a file holding it or the answer")
        String checkpoint;

        @Option(names = "--public-key", required = true, paramLabel = "FILE", description = "the service's "
                + "public keys: the JWKS document (/.well-known/jwks.json) or a PEM public key")
        String publicKey;

        @Override
        public Integer call() {
            Outcome outcome;
            try {
                outcome = new AuditCheckpointVerifier(Verify.keys(publicKey)).read(Verify.checkpointJws(checkpoint));
            } catch (DomainException | IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            if (!outcome.verified()) {
                System.out.println("BROKEN  checkpoint: " + outcome.problem());
                return 1;
            }
            AuditCheckpointVerifier.Checkpoint c = outcome.checkpoint();
            AuditExportVerifier.Result r;
            try (BufferedReader reader = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
                r = AuditExportVerifier.verify(reader, c.tenantId(), c.count(), c.headHash());
            } catch (IOException e) {
                System.err.println("cannot read " + export + ": " + e.getMessage());
                return 2;
            }
            if (!r.valid()) {
                System.out.println("BROKEN  " + r.problem() + "; " + r.checked() + " entries intact before it");
                return 1;
            }
            System.out.println("OK      tenant " + c.tenantId() + ": " + r.checked() + " entries, complete and "
                    + "unchanged through entry " + c.count() + " of the checkpoint of " + c.checkpointAt()
                    + " (head " + c.headHash() + ")");
            return 0;
        }
    }
}
