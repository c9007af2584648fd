package com.catalytic.query.account;

import com.catalytic.api.audit.AuditQueries.AuditEntries;
import com.catalytic.api.audit.AuditQueries.AuditEntry;
import com.catalytic.api.audit.AuditQueries.AuditFilter;
import com.catalytic.api.audit.AuditQueries.ExportAuditEntriesQuery;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.history.HistoryQueries.AggregateEvents;
import com.catalytic.api.history.HistoryQueries.AggregateEventsQuery;
import com.catalytic.api.history.HistoryQueries.HistoryEvent;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;
import com.catalytic.api.identity.Scopes;
import com.catalytic.api.personal.PersonalData;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A data subject's access request (GDPR article 15): what the service holds of one user, personal data opened —
 * their account's events and what they did (the audit entries they are the actor of, with the IP address and user
 * agent of each). For the tenant's owners (signed in, or through a key holding {@code users:read}) and the user
 * themself.
 */
@RestController
class PersonalDataController {

    /** Audit entries in one answer at most; {@code activity_truncated} says when there were more. */
    static final int MAX_ACTIVITY = 10_000;
    private static final int PAGE = 1000;

    private final QueryGateway queries;
    private final PersonalData personalData;

    PersonalDataController(QueryGateway queries, PersonalData personalData) {
        this.queries = queries;
        this.personalData = personalData;
    }

    @GetMapping("/api/users/{id}/personal-data")
    public Map<String, Object> export(Caller caller, @PathVariable("id") String id) {
        boolean self = !caller.isApiKey() && id.equals(caller.userId());
        if (!self) {
            caller.require(Scopes.USERS_READ);
            if (!caller.hasRole(Role.OWNER)) {
                throw DomainException.forbidden("forbidden", "a user's personal data is for the tenant's owners and "
                        + "the user themself");
            }
        }
        List<HistoryEvent> account = new ArrayList<>();
        long after = -1;
        AggregateEvents page;
        do {
            // the user aggregate's own stream: a 404 when it is not of the caller's tenant
            page = queries.query(new AggregateEventsQuery(caller.tenantId(), "user", id, after, PAGE),
                    ResponseTypes.instanceOf(AggregateEvents.class)).join();
            account.addAll(page.events());
            after = page.nextCursor() == null ? after : page.nextCursor();
        } while (page.nextCursor() != null);
        List<Map<String, Object>> activity = new ArrayList<>();
        AuditFilter mine = new AuditFilter(caller.tenantId(), null, null, id, null, null, null);
        long afterSeq = 0;
        boolean truncated = false;
        List<AuditEntry> entries;
        do {
            entries = queries.query(new ExportAuditEntriesQuery(mine, afterSeq, PAGE),
                    ResponseTypes.instanceOf(AuditEntries.class)).join().entries();
            for (AuditEntry e : entries) {
                if (activity.size() == MAX_ACTIVITY) {
                    truncated = true;
                    break;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("occurred_at", e.occurredAt().toString());
                row.put("action", e.action());
                row.put("target_type", e.targetType());
                row.put("target_id", e.targetId());
                row.put("ip", personalData.open(e.ip()));
                row.put("user_agent", personalData.open(e.userAgent()));
                activity.add(row);
                afterSeq = e.seq();
            }
        } while (entries.size() == PAGE && !truncated);
        String email = account.isEmpty() ? null : emailOf(account.get(0).payload());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user_id", id);
        out.put("tenant_id", caller.tenantId());
        out.put("email", email);
        out.put("erased", PersonalData.ERASED.equals(email));
        out.put("account_events", account);
        out.put("activity", activity);
        out.put("activity_truncated", truncated);
        return out;
    }

    /** The address of the account's first event, its registration (a JSON tree here, a map when it travelled). */
    private static String emailOf(Object registration) {
        if (registration instanceof JsonNode tree) {
            return tree.path("email").asText(null);
        }
        return registration instanceof Map<?, ?> map && map.get("email") instanceof String s ? s : null;
    }
}
