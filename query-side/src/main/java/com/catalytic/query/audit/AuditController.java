package com.catalytic.query.audit;

import com.catalytic.api.audit.AuditQueries.AuditChainVerification;
import com.catalytic.api.audit.AuditQueries.AuditEntries;
import com.catalytic.api.audit.AuditQueries.AuditEntry;
import com.catalytic.api.audit.AuditQueries.AuditFilter;
import com.catalytic.api.audit.AuditQueries.ExportAuditEntriesQuery;
import com.catalytic.api.audit.AuditQueries.ListAuditEntriesQuery;
import com.catalytic.api.audit.AuditQueries.VerifyAuditChainQuery;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.personal.PersonalData;
import com.catalytic.infrastructure.personal.OpenedJson;
import com.catalytic.query.export.RowExport;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The audit trail of the caller's tenant (scope {@code audit:read}): search, streamed export, verification. */
@RestController
class AuditController {

    static final int MAX_PAGE = 500;
    static final int EXPORT_PAGE = 1000;
    /** The CSV header: the fields of an entry, in the order of {@link #row}. */
    static final String COLUMNS = "id, seq, global_index, actor_type, actor_id, api_key_id, action, target_type, "
            + "target_id, ip, user_agent, request_id, occurred_at, changes, prev_hash, hash";

    private final QueryGateway queries;
    private final ObjectMapper json;
    private final PersonalData personalData;

    public AuditController(QueryGateway queries, ObjectMapper json, PersonalData personalData) {
        this.queries = queries;
        this.json = json;
        this.personalData = personalData;
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
        AuditFilter f = filter(caller, from, to, actorId, action, targetType, targetId);
        Long before = null;
        if (cursor != null) {
            try {
                before = Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                throw DomainException.validation("cursor", "invalid_cursor", "cursor is not valid");
            }
        }
        List<Map<String, Object>> rows = entries(new ListAuditEntriesQuery(f, before, limit + 1)).stream()
                .map(e -> opened(row(e))).toList();
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
        AuditFilter f = filter(caller, from, to, actorId, action, targetType, targetId);
        try (RowExport export = RowExport.start(response, format, "audit-logs", List.of(COLUMNS.split(", ")), json)) {
            // keyset pages: memory is bounded by a page, and no connection is held while the client reads
            long after = 0;
            List<AuditEntry> page;
            do {
                page = entries(new ExportAuditEntriesQuery(f, after, EXPORT_PAGE));
                for (AuditEntry entry : page) {
                    export.write(row(entry));
                    after = entry.seq();
                }
            } while (page.size() == EXPORT_PAGE);
        }
    }

    @GetMapping("/api/audit-logs/verify")
    public Map<String, Object> verify(Caller caller) {
        caller.require(Scopes.AUDIT_READ);
        AuditChainVerification r = queries.query(new VerifyAuditChainQuery(caller.tenantId(), null, null),
                ResponseTypes.instanceOf(AuditChainVerification.class)).join();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("valid", r.valid());
        out.put("checked", r.checked());
        out.put("head_hash", r.headHash());
        out.put("first_broken", r.firstBroken());
        return out;
    }

    private List<AuditEntry> entries(Object query) {
        return queries.query(query, ResponseTypes.instanceOf(AuditEntries.class)).join().entries();
    }

    private static AuditFilter filter(Caller caller, String from, String to, String actorId, String action,
                                      String targetType, String targetId) {
        Instant fromInstant = from == null ? null : instant(from, "from");
        Instant toInstant = to == null ? null : instant(to, "to");
        for (String[] eq : new String[][] {{"actor_id", actorId}, {"action", action}, {"target_type", targetType},
                {"target_id", targetId}}) {
            if (eq[1] != null && eq[1].length() > 128) {
                throw DomainException.validation(eq[0], "invalid_filter", eq[0] + " is too long");
            }
        }
        return new AuditFilter(caller.tenantId(), fromInstant, toInstant, actorId, action, targetType, targetId);
    }

    /**
     * An entry for people to read: its IP address, user agent and personal data in its changes opened (an erased
     * subject's show as erased). An export keeps them sealed, as hashed, so that it verifies on its own.
     */
    private Map<String, Object> opened(Map<String, Object> row) {
        row.put("ip", personalData.open((String) row.get("ip")));
        row.put("user_agent", personalData.open((String) row.get("user_agent")));
        String changes = (String) row.get("changes");
        if (changes != null && changes.contains(PersonalData.PREFIX)) {
            try {
                row.put("changes", json.writeValueAsString(OpenedJson.open(json.readTree(changes), personalData)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("audit entry " + row.get("id") + " holds changes that are not JSON", e);
            }
        }
        return row;
    }

    private static Map<String, Object> row(AuditEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("seq", e.seq());
        m.put("global_index", e.globalIndex());
        m.put("actor_type", e.actorType());
        m.put("actor_id", e.actorId());
        m.put("api_key_id", e.apiKeyId());
        m.put("action", e.action());
        m.put("target_type", e.targetType());
        m.put("target_id", e.targetId());
        m.put("ip", e.ip());
        m.put("user_agent", e.userAgent());
        m.put("request_id", e.requestId());
        m.put("occurred_at", e.occurredAt().toString());
        m.put("changes", e.changes());
        m.put("prev_hash", e.prevHash());
        m.put("hash", e.hash());
        return m;
    }

    private static Instant instant(String value, String field) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw DomainException.validation(field, "invalid_time", field + " must be an ISO-8601 UTC instant");
        }
    }
}
