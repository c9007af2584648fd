package com.catalytic.deploy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An environment file as the deployment guide writes it ({@code .env.production}) and as systemd's
 * {@code EnvironmentFile=} and the launcher read it: one {@code KEY=VALUE} a line, blank lines and {@code #} comment
 * lines ignored, an optional {@code export } before the key, the value optionally in single or double quotes, and
 * an unquoted value ending at a {@code " #"} comment. Lines that are none of these are reported, not guessed at.
 */
public record EnvFile(Map<String, String> values, List<String> problems) {

    public static EnvFile read(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            String key = eq > 0 ? line.substring(0, eq).strip() : "";
            if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                problems.add(file + " line " + (i + 1) + ": not KEY=VALUE");
                continue;
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')) {
                int close = value.indexOf(value.charAt(0), 1);
                if (close < 0) {
                    problems.add(file + " line " + (i + 1) + ": " + key + "'s value opens a quote it never closes");
                    continue;
                }
                value = value.substring(1, close);
            } else {
                int comment = value.indexOf(" #");
                if (comment >= 0) {
                    value = value.substring(0, comment).strip();
                }
            }
            values.put(key, value);
        }
        return new EnvFile(values, problems);
    }
}
