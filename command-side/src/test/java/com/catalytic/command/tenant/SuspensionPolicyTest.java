package com.catalytic.command.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.api.account.AccountQueries.TenantState;
import com.catalytic.api.account.Credentials;
import com.catalytic.api.error.DomainException;
import com.catalytic.api.identity.Caller;
import com.catalytic.api.identity.Role;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SuspensionPolicyTest {

    private static final TenantState ACTIVE = new TenantState("t1", "active", "starter", null);
    private static final TenantState UNPAID = new TenantState("t1", "suspended", "starter",
            "non-payment: 3 failed payments");
    private static final TenantState BY_OPERATOR = new TenantState("t1", "suspended", "starter", "abuse");
    private static final TenantState WITHOUT_REASON = new TenantState("t1", "suspended", "starter", null);

    private static Caller user(Role role) {
        return new Caller("t1", "u1", role, "s1", null, Set.of());
    }

    private static Caller apiKey(Role role) {
        return new Caller("t1", "u1", role, null, "k1", Set.of("billing:manage"));
    }

    private static Credentials credentials(String role, String status, String reason) {
        return new Credentials("u1", "t1", "a@example.com", "hash", role, true, status, reason, 0);
    }

    // ------------------------------------------------------------------------------------------------ calls

    @ParameterizedTest
    @EnumSource(Role.class)
    void aTenantInGoodStandingMayCallAnything(Role role) {
        assertThat(SuspensionPolicy.mayCall(ACTIVE, user(role), "DELETE", "/api/users/u2")).isTrue();
        assertThat(SuspensionPolicy.mayCall(ACTIVE, apiKey(role), "POST", "/api/lattices")).isTrue();
        assertThatCode(() -> SuspensionPolicy.requireMayCall(ACTIVE, apiKey(role), "GET", "/api/usage"))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource({"GET, /api/me", "GET, /api/tenant", "GET, /api/subscription", "POST, /api/subscription/portal"})
    void ownersAndAdminsOfAnUnpaidTenantMayLookAndPay(String method, String path) {
        assertThat(SuspensionPolicy.mayCall(UNPAID, user(Role.OWNER), method, path)).isTrue();
        assertThat(SuspensionPolicy.mayCall(UNPAID, user(Role.ADMIN), method, path)).isTrue();
        assertThatCode(() -> SuspensionPolicy.requireMayCall(UNPAID, user(Role.ADMIN), method, path))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource({"GET, /api/usage", "POST, /api/subscription/checkout", "PATCH, /api/tenant", "POST, /api/me",
            "GET, /api/subscription/portal", "GET, /api/me/", "GET, /api/users"})
    void ownersOfAnUnpaidTenantMayDoNothingElse(String method, String path) {
        assertThat(SuspensionPolicy.mayCall(UNPAID, user(Role.OWNER), method, path)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"MEMBER", "VIEWER"})
    void membersAndViewersOfAnUnpaidTenantMayNotEvenLook(Role role) {
        assertThat(SuspensionPolicy.mayCall(UNPAID, user(role), "GET", "/api/me")).isFalse();
    }

    @Test
    void aCallerWithoutARoleMayNotPay() {
        assertThat(SuspensionPolicy.mayCall(UNPAID, user(null), "GET", "/api/me")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"OWNER", "ADMIN"})
    void nobodyPaysThroughAnApiKeyNotEvenAnOwner(Role role) {
        assertThat(SuspensionPolicy.mayCall(UNPAID, apiKey(role), "GET", "/api/subscription")).isFalse();
        assertThat(SuspensionPolicy.mayCall(UNPAID, apiKey(role), "POST", "/api/subscription/portal")).isFalse();
    }

    @Test
    void anyOtherSuspensionLetsNobodyThrough() {
        for (TenantState tenant : new TenantState[] {BY_OPERATOR, WITHOUT_REASON}) {
            assertThat(SuspensionPolicy.mayCall(tenant, user(Role.OWNER), "GET", "/api/me")).isFalse();
            assertThat(SuspensionPolicy.mayCall(tenant, user(Role.OWNER), "POST", "/api/subscription/portal"))
                    .isFalse();
        }
    }

    @Test
    void anUnpaidTenantsRefusalSaysHowToPay() {
        assertThatThrownBy(() -> SuspensionPolicy.requireMayCall(UNPAID, user(Role.MEMBER), "GET", "/api/me"))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainException.Kind.FORBIDDEN);
                    assertThat(e.code()).isEqualTo("tenant_suspended");
                    assertThat(e.getMessage()).isEqualTo("this tenant is suspended until its open invoice is paid; "
                            + "an owner or admin can pay it through POST /api/subscription/portal");
                });
    }

    @Test
    void anotherSuspensionsRefusalPointsToTheOwnerOrSupport() {
        assertThatThrownBy(() -> SuspensionPolicy.requireMayCall(BY_OPERATOR, user(Role.OWNER), "GET", "/api/me"))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainException.Kind.FORBIDDEN);
                    assertThat(e.code()).isEqualTo("tenant_suspended");
                    assertThat(e.getMessage()).isEqualTo("this tenant is suspended; contact the account owner or support");
                });
    }

    // ------------------------------------------------------------------------------------------------ sign-in

    @ParameterizedTest
    @ValueSource(strings = {"owner", "admin", "member", "viewer", "unknown"})
    void everyoneOfATenantInGoodStandingMaySignIn(String role) {
        assertThat(SuspensionPolicy.maySignIn(credentials(role, "active", null))).isTrue();
        assertThatCode(() -> SuspensionPolicy.requireMaySignIn(credentials(role, "active", null)))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"owner", "admin"})
    void ownersAndAdminsOfAnUnpaidTenantSignInToPay(String role) {
        assertThat(SuspensionPolicy.maySignIn(credentials(role, "suspended", "non-payment: 3 failed payments")))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"member", "viewer", "unknown"})
    void othersOfAnUnpaidTenantAreToldAnOwnerOrAdminCanPay(String role) {
        Credentials creds = credentials(role, "suspended", "non-payment: 3 failed payments");
        assertThat(SuspensionPolicy.maySignIn(creds)).isFalse();
        assertThatThrownBy(() -> SuspensionPolicy.requireMaySignIn(creds))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainException.Kind.FORBIDDEN);
                    assertThat(e.code()).isEqualTo("tenant_suspended");
                    assertThat(e.getMessage()).isEqualTo(
                            "this tenant is suspended until its open invoice is paid; an owner or admin can pay it");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"owner", "admin", "member"})
    void nobodySignsInDuringAnotherSuspension(String role) {
        Credentials creds = credentials(role, "suspended", "abuse");
        assertThat(SuspensionPolicy.maySignIn(creds)).isFalse();
        assertThat(SuspensionPolicy.maySignIn(credentials(role, "suspended", null))).isFalse();
        assertThatThrownBy(() -> SuspensionPolicy.requireMaySignIn(creds))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.code()).isEqualTo("tenant_suspended");
                    assertThat(e.getMessage()).isEqualTo("this tenant is suspended; contact support");
                });
    }

    @Test
    void aNonPaymentReasonOnATenantNoLongerSuspendedChangesNothing() {
        TenantState reinstated = new TenantState("t1", "active", "starter", "non-payment: 3 failed payments");
        assertThat(SuspensionPolicy.mayCall(reinstated, user(Role.VIEWER), "GET", "/api/usage")).isTrue();
        assertThat(SuspensionPolicy.maySignIn(credentials("viewer", "active", "non-payment: 3 failed payments")))
                .isTrue();
    }
}
