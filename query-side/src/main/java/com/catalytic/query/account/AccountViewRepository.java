package com.catalytic.query.account;

import com.catalytic.api.account.AccountQueries.MeView;
import com.catalytic.api.account.TenantView;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The caller's account and tenant views, one indexed statement each straight from {@code users} and {@code tenants}:
 * the hottest reads of the API, so plain JDBC, no ORM entities, and no transaction besides the query bus's.
 */
@Component
class AccountViewRepository {

    private static final String ME = "SELECT u.id, u.email, u.role, u.active, u.created_at, t.id, t.name, t.slug, "
            + "t.plan, t.status, t.created_at, (SELECT COUNT(*) FROM users c WHERE c.tenant_id = t.id) "
            + "FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = ? AND u.tenant_id = ?";
    private static final String TENANT = "SELECT t.id, t.name, t.slug, t.plan, t.status, t.created_at, "
            + "(SELECT COUNT(*) FROM users c WHERE c.tenant_id = t.id) FROM tenants t WHERE t.id = ?";

    private final JdbcTemplate jdbc;

    public AccountViewRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public MeView me(String tenantId, String userId) {
        List<MeView> rows = jdbc.query(ME, (rs, i) -> new MeView(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getBoolean(4), rs.getTimestamp(5).toInstant(),
                new TenantView(rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                        rs.getInt(12), rs.getTimestamp(11).toInstant())), userId, tenantId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    public TenantView tenant(String tenantId) {
        List<TenantView> rows = jdbc.query(TENANT, (rs, i) -> new TenantView(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(7), rs.getTimestamp(6).toInstant()),
                tenantId);
        return rows.isEmpty() ? null : rows.get(0);
    }
}
