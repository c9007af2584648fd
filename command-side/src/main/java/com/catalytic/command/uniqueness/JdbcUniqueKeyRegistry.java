package com.catalytic.command.uniqueness;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link UniqueKeyRegistry} on the {@code unique_claims} table, in the command's own transaction: with the events in
 * PostgreSQL, the claim commits with the events or not at all. The primary key makes concurrent claims of the same
 * value on different nodes collide in the database: the loser's transaction fails and nothing of it is kept.
 */
public class JdbcUniqueKeyRegistry implements UniqueKeyRegistry {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    JdbcUniqueKeyRegistry(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public boolean claim(Scope scope, String value, String ownerId, String aggregateId) {
        if (isClaimed(scope, value)) {
            return false;
        }
        try {
            jdbc.update("INSERT INTO unique_claims (scope, claim_value, owner_id, claimed_at) VALUES (?, ?, ?, ?)",
                    scope.name(), value, ownerId, Timestamp.from(clock.instant()));
            return true;
        } catch (DuplicateKeyException raced) {
            // A concurrent transaction committed the same value between our check and insert.
            throw new ClaimRaceException(scope, raced);
        }
    }

    @Override
    public boolean isClaimed(Scope scope, String value) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM unique_claims WHERE scope = ? AND claim_value = ?",
                Integer.class, scope.name(), value);
        return n != null && n > 0;
    }

    @Override
    public String ownerOf(Scope scope, String value) {
        List<String> owners = jdbc.queryForList("SELECT owner_id FROM unique_claims WHERE scope = ? "
                + "AND claim_value = ?", String.class, scope.name(), value);
        return owners.isEmpty() ? null : owners.get(0);
    }

    @Override
    public void release(Scope scope, String value, String ownerId, String aggregateId) {
        jdbc.update("DELETE FROM unique_claims WHERE scope = ? AND claim_value = ? AND owner_id = ?",
                scope.name(), value, ownerId);
    }

    /** Thrown when the database caught a concurrent claim; the command fails as a conflict. */
    public static class ClaimRaceException extends RuntimeException {
        private final Scope scope;

        ClaimRaceException(Scope scope, Throwable cause) {
            super("concurrent claim of a unique " + scope, cause);
            this.scope = scope;
        }

        public Scope scope() { return scope; }
    }
}
