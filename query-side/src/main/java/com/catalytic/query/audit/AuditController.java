package com.catalytic.query.audit;

import com.catalytic.api.apikey.Scopes;
import com.catalytic.api.auth.Caller;
import com.catalytic.api.error.DomainException;
import com.catalytic.projections.audit.AuditVerifier;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.http.HttpHeaders;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import jakarta.servlet.http.HttpServletResponse;

/** The audit trail of the caller's tenant (scope {@code audit:read}): search, streamed export, verification. */
@RestController
public class AuditController {

    static final int MAX_PAGE = 500;
    static final int EXPORT_PAGE = 1000;
    static final String COLUMNS = "id, seq, global_index, actor_type, actor_id, api_key_id, action, target_type, "
            + "target_id, ip, user_agent, request_id, occurred_at, changes, prev_hash, hash";

    private final JdbcTemplate jdbc;
    private final AuditVerifier verifier;
    private final ObjectMapper json;

    public AuditController(DataSource dataSource, ObjectMapper json) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.verifier = new AuditVerifier(dataSource);
        this.json = json;
    }

    record Filter(String sql, List<Object> args) {
    }

    @GetMapping("/api/audit-logs")
    public Map<String, Object> list(Caller caller, @RequestParam(name = "from", required = false) String from,
                                    @RequestParam(name = "to", required = false) String to,
                                    @RequestParam(name = "actor_id", required = false) String actorId,
                                    @RequestParam(name = "action", required = false) String action,
                                    @RequestParam(name = "target_type", required = false) String targetType,
                                    @RequestParam(name = "target_id", required = false) String targetId,
                                    @RequestParam(name = "limit", defaultValue = "50") int limit,
                                    @RequestParam(name = "cursor", required = false) String cursor) {
        caller.require(Scopes.AUDIT_READ);
        if (limit < 1 || limit > MAX_PAGE) {
            throw DomainException.validation("limit", "invalid_limit", "limit must be between 1 and " + MAX_PAGE);
        }
        Filter f = filter(caller, from, to, actorId, action, targetType, targetId);
        List<Object> args = new ArrayList<>(f.args());
        String sql = "SELECT " + COLUMNS + " FROM audit_logs WHERE " + f.sql();
        if (cursor != null) {
            long before;
            try {
                before = Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                throw DomainException.validation("cursor", "invalid_cursor", "cursor is not valid");
            }
            sql += " AND seq < ?";
            args.add(before);
        }
        sql += " ORDER BY seq DESC LIMIT ?";
        args.add(limit + 1);
        List<Map<String, Object>> rows = jdbc.query(sql, (rs, i) -> row(rs), args.toArray());
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            next = rows.get(limit - 1).get("seq").toString();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("audit_logs", rows);
        out.put("next_cursor", next);
        return out;
    }

    @GetMapping("/api/audit-logs/export")
    public void export(HttpServletResponse response, Caller caller,
                                                        @RequestParam(name = "format", defaultValue = "ndjson") String format,
                                                        @RequestParam(name = "from", required = false) String from,
                                                        @RequestParam(name = "to", required = false) String to,
                                                        @RequestParam(name = "actor_id", required = false) String actorId,
                                                        @RequestParam(name = "action", required = false) String action,
                                                        @RequestParam(name = "target_type", required = false) String targetType,
                                                        @RequestParam(name = "target_id", required = false) String targetId) {
        caller.require(Scopes.AUDIT_READ);
        boolean csv = switch (format) {
            case "csv" -> true;
            case "ndjson" -> false;
            default -> throw DomainException.validation("format", "invalid_format", "format must be ndjson or csv");
        };
        Filter f = filter(caller, from, to, actorId, action, targetType, targetId);
        // keyset pages: memory is bounded by a page, and no connection is held while the client reads
        String sql = "SELECT " + COLUMNS + " FROM audit_logs WHERE " + f.sql() + " AND seq > ? ORDER BY seq LIMIT ?";
        response.setContentType(csv ? "text/csv;charset=UTF-8" : "application/x-ndjson");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"audit-logs."
                + (csv ? "csv" : "ndjson") + "\"");
        try {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(response.getOutputStream(),
                    StandardCharsets.UTF_8));
            if (csv) {
                w.write(String.join(",", COLUMNS.split(", ")));
                w.write("\r\n");
            }
            long after = 0;
            List<Map<String, Object>> page;
            do {
                List<Object> args = new ArrayList<>(f.args());
                args.add(after);
                args.add(EXPORT_PAGE);
                page = jdbc.query(sql, (rs, i) -> row(rs), args.toArray());
                for (Map<String, Object> row : page) {
                    write(w, row, csv);
                    after = (Long) row.get("seq");
                }
            } while (page.size() == EXPORT_PAGE);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(Writer w, Map<String, Object> row, boolean csv) {
        try {
            if (csv) {
                List<String> cells = new ArrayList<>();
                row.values().forEach(v -> cells.add(csvCell(v)));
                w.write(String.join(",", cells));
                w.write("\r\n");
            } else {
                w.write(json.writeValueAsString(row));
                w.write("\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GetMapping("/api/audit-logs/verify")
    public Map<String, Object> verify(Caller caller) {
        caller.require(Scopes.AUDIT_READ);
        AuditVerifier.Result r = verifier.verify(caller.tenantId());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("valid", r.valid());
        out.put("checked", r.checked());
        out.put("head_hash", r.headHash());
        out.put("first_broken", r.firstBroken());
        return out;
    }

    private static Filter filter(Caller caller, String from, String to, String actorId, String action,
                                 String targetType, String targetId) {
        StringBuilder sql = new StringBuilder("tenant_id = ?");
        List<Object> args = new ArrayList<>(List.of(caller.tenantId()));
        if (from != null) {
            sql.append(" AND occurred_at >= ?");
            args.add(Timestamp.from(instant(from, "from")));
        }
        if (to != null) {
            sql.append(" AND occurred_at < ?");
            args.add(Timestamp.from(instant(to, "to")));
        }
        for (String[] eq : new String[][] {{"actor_id", actorId}, {"action", action}, {"target_type", targetType},
                {"target_id", targetId}}) {
            if (eq[1] != null) {
                if (eq[1].length() > 128) {
                    throw DomainException.validation(eq[0], "invalid_filter", eq[0] + " is too long");
                }
                sql.append(" AND ").append(eq[0]).append(" = ?");
                args.add(eq[1]);
            }
        }
        return new Filter(sql.toString(), args);
    }

    private static Map<String, Object> row(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getString("id"));
        m.put("seq", rs.getLong("seq"));
        long gi = rs.getLong("global_index");
        m.put("global_index", rs.wasNull() ? null : gi);
        m.put("actor_type", rs.getString("actor_type"));
        m.put("actor_id", rs.getString("actor_id"));
        m.put("api_key_id", rs.getString("api_key_id"));
        m.put("action", rs.getString("action"));
        m.put("target_type", rs.getString("target_type"));
        m.put("target_id", rs.getString("target_id"));
        m.put("ip", rs.getString("ip"));
        m.put("user_agent", rs.getString("user_agent"));
        m.put("request_id", rs.getString("request_id"));
        m.put("occurred_at", rs.getTimestamp("occurred_at").toInstant().toString());
        m.put("changes", rs.getString("changes"));
        m.put("prev_hash", rs.getString("prev_hash"));
        m.put("hash", rs.getString("hash"));
        return m;
    }

    private static String csvCell(Object v) {
        if (v == null) {
            return "";
        }
        String s = v.toString();
        // a leading = + - @ would be a formula in a spreadsheet
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") || s.startsWith("'")
                ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static Instant instant(String value, String field) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw DomainException.validation(field, "invalid_time", field + " must be an ISO-8601 UTC instant");
        }
    }
}
