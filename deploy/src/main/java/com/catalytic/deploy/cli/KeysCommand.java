package com.catalytic.deploy.cli;

import com.catalytic.infrastructure.credentials.JwtKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Key management.", subcommands = KeysCommand.Generate.class)
public class KeysCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true, description = "Write keys/jwt_<env>_private.pem, keys/jwt_<env>_public.pem, "
            + "keys/api_encryption_<env>.key and keys/db_encryption_<env>.key (private files mode 600). "
            + "Refuses to overwrite existing files.")
    public static class Generate implements Callable<Integer> {

        @Parameters(index = "0", description = "environment name, e.g. production")
        String env;

        @Option(names = "--dir", defaultValue = "keys", description = "output directory (default: ${DEFAULT-VALUE})")
        Path dir;

        @Override
        public Integer call() throws Exception {
            if (!env.matches("[a-z0-9_-]{1,32}")) {
                System.err.println("environment name must be 1-32 characters of a-z, 0-9, _ or -");
                return 2;
            }
            Path priv = dir.resolve("jwt_" + env + "_private.pem");
            Path pub = dir.resolve("jwt_" + env + "_public.pem");
            Path api = dir.resolve("api_encryption_" + env + ".key");
            Path db = dir.resolve("db_encryption_" + env + ".key");
            List<Path> existing = List.of(priv, pub, api, db).stream().filter(Files::exists).toList();
            if (!existing.isEmpty()) {
                System.err.println("refusing to overwrite existing key files: " + existing);
                return 1;
            }
            Files.createDirectories(dir);
            KeyPair pair = JwtKeys.generate();
            JwtKeys.writePem(priv, "PRIVATE KEY", pair.getPrivate().getEncoded(), true);
            JwtKeys.writePem(pub, "PUBLIC KEY", pair.getPublic().getEncoded(), false);
            JwtKeys.writeFile(api, randomKey(), true);
            JwtKeys.writeFile(db, randomKey(), true);
            System.out.println("wrote " + priv + " (600), " + pub + ", " + api + " (600), " + db + " (600)");
            System.out.println("set JWT_PRIVATE_KEY_PATH=" + priv.toAbsolutePath() + " and JWT_PUBLIC_KEY_PATH="
                    + pub.toAbsolutePath());
            return 0;
        }

        private static byte[] randomKey() {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            return (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        }
    }
}
