package com.catalytic.deploy.legacy;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;

/** The target's event streams and unique claims, read with plain SQL. */
final class JdbcTargetState implements TargetState {

    private final JdbcTemplate jdbc;

    JdbcTargetState(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Set<String> existing(Collection<String> ids) {
        Set<String> found = new HashSet<>();
        List<String> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += 500) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
            String marks = String.join(", ", chunk.stream().map(i -> "?").toList());
            found.addAll(jdbc.queryForList("SELECT DISTINCT aggregate_identifier FROM domain_event_entry WHERE "
                    + "aggregate_identifier IN (" + marks + ")", String.class, chunk.toArray()));
        }
        return found;
    }

    @Override
    public String claimOwner(String scope, String value) {
        List<String> owners = jdbc.queryForList("SELECT owner_id FROM unique_claims WHERE scope = ? AND claim_value = ?",
                String.class, scope, value);
        return owners.isEmpty() ? null : owners.get(0);
    }

    /** Whether an event with this id is stored (a page of usage written by an earlier run). */
    boolean eventStored(String eventId) {
        Integer n = jdbc.queryForObject("SELECT count(*) FROM domain_event_entry WHERE event_identifier = ?",
                Integer.class, eventId);
        return n != null && n > 0;
    }
}
