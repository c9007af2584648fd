package com.catalytic.query.account;

import com.catalytic.api.auth.Caller;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.query.TenantView;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's own account and tenant: the hottest read of the API, answered with one indexed query straight from
 * the read tables (no ORM session, no transaction of its own).
 */
@RestController
public class MeController {

    public record MeResponse(String id, String email, String role, boolean active, Instant createdAt,
                             TenantView tenant) {
    }

    private static final String ME = "SELECT u.id, u.email, u.role, u.active, u.created_at, t.id, t.name, t.slug, "
            + "t.plan, t.status, t.created_at, (SELECT COUNT(*) FROM users c WHERE c.tenant_id = t.id) "
            + "FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = ? AND u.tenant_id = ?";
    private static final String TENANT = "SELECT t.id, t.name, t.slug, t.plan, t.status, t.created_at, "
            + "(SELECT COUNT(*) FROM users c WHERE c.tenant_id = t.id) FROM tenants t WHERE t.id = ?";

    private final JdbcTemplate jdbc;
    private final AccountReadCache cache;

    public MeController(JdbcTemplate jdbc, AccountReadCache cache) {
        this.jdbc = jdbc;
        this.cache = cache;
    }

    @GetMapping("/api/me")
    public MeResponse me(Caller caller) {
        MeResponse me = cache.get("me:" + caller.userId(), caller.tenantId(), () -> loadMe(caller));
        if (me == null) {
            throw DomainException.notFound("user");
        }
        return me;
    }

    @GetMapping("/api/tenant")
    public TenantView tenant(Caller caller) {
        TenantView tenant = cache.get("tenant:" + caller.tenantId(), caller.tenantId(), () -> loadTenant(caller));
        if (tenant == null) {
            throw DomainException.notFound("tenant");
        }
        return tenant;
    }

    private MeResponse loadMe(Caller caller) {
        List<MeResponse> rows = jdbc.query(ME, (rs, i) -> new MeResponse(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getBoolean(4), rs.getTimestamp(5).toInstant(),
                new TenantView(rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                        rs.getInt(12), rs.getTimestamp(11).toInstant())), caller.userId(), caller.tenantId());
        return rows.isEmpty() ? null : rows.get(0);
    }

    private TenantView loadTenant(Caller caller) {
        List<TenantView> rows = jdbc.query(TENANT, (rs, i) -> new TenantView(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(7), rs.getTimestamp(6).toInstant()),
                caller.tenantId());
        return rows.isEmpty() ? null : rows.get(0);
    }
}
