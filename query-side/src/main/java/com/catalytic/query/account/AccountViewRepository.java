package com.catalytic.query.account;

import com.catalytic.api.account.AccountQueries.MeView;
import com.catalytic.api.account.TenantView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The caller's account and tenant views, one indexed statement each straight from {@code users} and {@code tenants}:
 * the hottest reads of the API, so plain JDBC, no ORM entities, and no transaction besides the query bus's.
 */
@Component
class AccountViewRepository {

    private static final String TENANT_COLUMNS = "t.id AS tenant_id, t.name AS tenant_name, t.slug, t.plan, "
            + "t.status, t.created_at AS tenant_created_at, "
            // the seats used, as the plan's user limit counts them: active members, invited ones included
            + "(SELECT COUNT(*) FROM users c WHERE c.tenant_id = t.id AND c.active) AS user_count";
    private static final String ME = "SELECT u.id AS user_id, u.email, u.role, u.active, "
            + "u.created_at AS user_created_at, " + TENANT_COLUMNS + " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = ? AND u.tenant_id = ?";
    private static final String TENANT = "SELECT " + TENANT_COLUMNS + " FROM tenants t WHERE t.id = ?";

    private final JdbcTemplate jdbc;

    public AccountViewRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public MeView me(String tenantId, String userId) {
        List<MeView> rows = jdbc.query(ME, (rs, i) -> me(rs), userId, tenantId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    public TenantView tenant(String tenantId) {
        List<TenantView> rows = jdbc.query(TENANT, (rs, i) -> tenant(rs), tenantId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static MeView me(ResultSet rs) throws SQLException {
        return new MeView(rs.getString("user_id"), rs.getString("email"), rs.getString("role"),
                rs.getBoolean("active"), rs.getTimestamp("user_created_at").toInstant(), tenant(rs));
    }

    private static TenantView tenant(ResultSet rs) throws SQLException {
        return new TenantView(rs.getString("tenant_id"), rs.getString("tenant_name"), rs.getString("slug"),
                rs.getString("plan"), rs.getString("status"), rs.getInt("user_count"),
                rs.getTimestamp("tenant_created_at").toInstant());
    }
}
