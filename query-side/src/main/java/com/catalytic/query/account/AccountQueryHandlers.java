package com.catalytic.query.account;

import com.catalytic.api.account.AccountQueries.FindPrincipalQuery;
import com.catalytic.api.account.AccountQueries.FindTenantStateQuery;
import com.catalytic.api.account.AccountQueries.ListMemberAddressesQuery;
import com.catalytic.api.account.AccountQueries.ListUsersQuery;
import com.catalytic.api.account.AccountQueries.MemberAddresses;
import com.catalytic.api.account.AccountQueries.PrincipalState;
import com.catalytic.api.account.AccountQueries.TenantState;
import com.catalytic.api.account.Credentials;
import com.catalytic.api.account.FindCredentialsByEmailQuery;
import com.catalytic.api.account.FindCredentialsByUserQuery;
import com.catalytic.api.account.FindUserQuery;
import com.catalytic.api.account.UserView;
import com.catalytic.projections.tenant.TenantRepository;
import com.catalytic.projections.tenant.TenantRow;
import com.catalytic.projections.user.UserRepository;
import com.catalytic.projections.user.UserRow;
import java.util.List;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Answers questions about tenants and users from their read tables (the account and tenant views of
 * {@code GET /api/me}: {@link AccountViewQueryHandlers}). Every answer is scoped by tenant.
 */
@Component
@Transactional(readOnly = true)
class AccountQueryHandlers {

    private final TenantRepository tenants;
    private final UserRepository users;

    public AccountQueryHandlers(TenantRepository tenants, UserRepository users) {
        this.tenants = tenants;
        this.users = users;
    }

    @QueryHandler
    public UserView handle(FindUserQuery query) {
        return users.findByIdAndTenantId(query.userId(), query.tenantId()).map(AccountQueryHandlers::view).orElse(null);
    }

    @QueryHandler
    public List<UserView> handle(ListUsersQuery query) {
        return users.findByTenantIdOrderByCreatedAtAsc(query.tenantId()).stream().map(AccountQueryHandlers::view).toList();
    }

    @QueryHandler
    public MemberAddresses handle(ListMemberAddressesQuery query) {
        return new MemberAddresses(users.findByTenantIdAndActiveTrueAndPasswordHashIsNotNullAndRoleInOrderByEmailAsc(
                query.tenantId(), query.roles()).stream().map(UserRow::getEmail).toList());
    }

    @QueryHandler
    public PrincipalState handle(FindPrincipalQuery query) {
        return users.findById(query.userId())
                .map(u -> new PrincipalState(u.getId(), u.getTenantId(), u.getRole(), u.isActive(),
                        u.getSessionEpoch()))
                .orElse(null);
    }

    @QueryHandler
    public TenantState handle(FindTenantStateQuery query) {
        return tenants.findById(query.tenantId())
                .map(t -> new TenantState(t.getId(), t.getStatus(), t.getPlan(), t.getSuspensionReason()))
                .orElse(null);
    }

    @QueryHandler
    public Credentials handle(FindCredentialsByEmailQuery query) {
        return users.findFirstByEmailAndPasswordHashIsNotNullOrderByCreatedAtDesc(query.email()).map(this::credentials).orElse(null);
    }

    @QueryHandler
    public Credentials handle(FindCredentialsByUserQuery query) {
        return users.findById(query.userId()).map(this::credentials).orElse(null);
    }

    private Credentials credentials(UserRow u) {
        TenantRow tenant = tenants.findById(u.getTenantId()).orElse(null);
        return new Credentials(u.getId(), u.getTenantId(), u.getEmail(), u.getPasswordHash(), u.getRole(), u.isActive(),
                tenant == null ? "unknown" : tenant.getStatus(), tenant == null ? null : tenant.getSuspensionReason(),
                u.getSessionEpoch());
    }

    static UserView view(UserRow u) {
        return new UserView(u.getId(), u.getTenantId(), u.getEmail(), u.getRole(), u.isActive(), u.isInvited(),
                u.getCreatedAt());
    }
}
