package com.catalytic.deploy.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code DATABASE_URL} in libpq URI form ({@code postgresql://user:pass@host:5432/db?sslmode=require}) turned into
 * JDBC settings. A {@code jdbc:} URL is accepted as is.
 */
public record DatabaseUrl(String jdbcUrl, String username, String password) {

    public static DatabaseUrl parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("DATABASE_URL is empty");
        }
        String v = value.trim();
        if (v.startsWith("jdbc:")) {
            return new DatabaseUrl(v, null, null);
        }
        if (!v.startsWith("postgresql://") && !v.startsWith("postgres://")) {
            throw new IllegalArgumentException("DATABASE_URL must look like postgresql://user:password@host:5432/database");
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("DATABASE_URL is not a valid URI (percent-encode special characters "
                    + "in the password)");
        }
        String host = uri.getHost();
        if (host == null || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new IllegalArgumentException("DATABASE_URL must name a host and a database");
        }
        String user = null;
        String pass = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            pass = parts.length > 1 ? decode(parts[1]) : null;
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 5432;
        String jdbc = "jdbc:postgresql://" + host + ":" + port + uri.getRawPath()
                + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        return new DatabaseUrl(jdbc, user, pass);
    }

    /**
     * The database an operator command works on: the given URL, else {@code DATABASE_URL}, else the embedded
     * default's file under {@code CATALYTIC_DATA_DIR} (default {@code ./data}).
     */
    public static DatabaseUrl forCommand(String override) {
        String url = override != null ? override : System.getenv().getOrDefault("DATABASE_URL", "");
        if (url.isBlank()) {
            return new DatabaseUrl(RuntimeEnvironment.embeddedUrl(Path.of(
                    System.getenv().getOrDefault("CATALYTIC_DATA_DIR", "./data"))), "sa", "");
        }
        return parse(url);
    }

    private static String decode(String s) {
        // percent-decoding only, as libpq does: a literal '+' stays a '+'
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The Spring data source settings of this database, for an operator command's own context. */
    public Map<String, Object> datasourceProperties() {
        return Map.of("spring.datasource.url", jdbcUrl, "spring.datasource.username", username == null ? "" : username,
                "spring.datasource.password", password == null ? "" : password);
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + jdbcUrl + ", user=" + username + "]";
    }
}
