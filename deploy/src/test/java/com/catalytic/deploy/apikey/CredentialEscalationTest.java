package com.catalytic.deploy.apikey;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.identity.Scopes;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No caller obtains a credential that acts with more power than their own: rotating hands a key's secret to its
 * creator only; a key issues or rotates only keys within itself; through a key, a user is given only a role whose
 * every scope the key holds.
 */
class CredentialEscalationTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of());
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** An owner on a plan with room, and an admin of the same tenant, both signed in. */
    private record Team(Account owner, Account admin, String adminId) {
    }

    private static Team team(String hint) {
        Account owner = Accounts.registerAndLogin(http, hint);
        Accounts.changePlan(app, owner.tenantId(), "professional");
        String adminEmail = Accounts.uniqueEmail(hint + "-admin");
        Response added = addUser(owner.accessToken(), adminEmail, "admin");
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        return new Team(owner, Accounts.login(http, adminEmail, Accounts.PASSWORD), added.text("id"));
    }

    private static Response addUser(String credential, String email, String role) {
        return http.post("/api/users", Map.of("email", email, "role", role, "password", Accounts.PASSWORD),
                bearer(credential));
    }

    private static Response issue(String credential, List<String> scopes, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(extra);
        body.put("name", "key");
        body.put("scopes", scopes);
        return http.post("/api/api-keys", body, bearer(credential));
    }

    private static Response issued(String credential, List<String> scopes, Map<String, Object> extra) {
        Response r = issue(credential, scopes, extra);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }

    private static Response rotate(String credential, String keyId) {
        return http.post("/api/api-keys/" + keyId + "/rotate", Map.of("grace_seconds", 0), bearer(credential));
    }

    private static Response patchRole(String credential, String userId, String role) {
        return http.method("PATCH", "/api/users/" + userId, "{\"role\":\"" + role + "\"}", bearer(credential));
    }

    private static String roleOf(Account reader, String userId) {
        Response user = http.get("/api/users/" + userId, bearer(reader.accessToken()));
        assertThat(user.status()).as(user.toString()).isEqualTo(200);
        return user.text("role");
    }

    @Test
    void anAdminCannotBecomeOwnerByRotatingAnOwnersKey() {
        Team t = team("rotate-attack");
        Response ownersKey = issued(t.owner().accessToken(), List.copyOf(Scopes.all()), Map.of());

        // the attack: rotate the owner's key, take the new secret, promote oneself with it
        Response stolen = rotate(t.admin().accessToken(), ownersKey.text("id"));
        assertThat(stolen.status()).as(stolen.toString()).isEqualTo(403);
        assertThat(stolen.text("code")).isEqualTo("not_key_creator");
        assertThat(stolen.raw()).doesNotContain("clc_live_");
        // nor through a key of the admin's own that holds keys:manage
        String adminsKey = issued(t.admin().accessToken(), List.of(Scopes.KEYS_MANAGE), Map.of()).text("key");
        Response viaKey = rotate(adminsKey, ownersKey.text("id"));
        assertThat(viaKey.status()).as(viaKey.toString()).isEqualTo(403);
        assertThat(viaKey.text("code")).isEqualTo("not_key_creator");
        assertThat(roleOf(t.owner(), t.adminId())).isEqualTo("admin");

        // the owner's key was left as it was, and still works
        assertThat(http.get("/api/me", bearer(ownersKey.text("key"))).status()).isEqualTo(200);
        Response keys = http.get("/api/api-keys", bearer(t.owner().accessToken()));
        assertThat(keys.raw()).contains(ownersKey.text("id")).doesNotContain("\"rotating\"", "\"rotated\"");

        // positive controls: the owner rotates their own key, whose successor acts as the owner
        Response ownerRotates = rotate(t.owner().accessToken(), ownersKey.text("id"));
        assertThat(ownerRotates.status()).as(ownerRotates.toString()).isEqualTo(201);
        String successor = ownerRotates.text("key");
        // the admin rotates their own key
        Response adminRotates = rotate(t.admin().accessToken(),
                issued(t.admin().accessToken(), List.of(Scopes.USERS_READ), Map.of()).text("id"));
        assertThat(adminRotates.status()).as(adminRotates.toString()).isEqualTo(201);
        // a member who did not create the key does not even see it
        String memberEmail = Accounts.uniqueEmail("member");
        assertThat(addUser(t.owner().accessToken(), memberEmail, "member").status()).isEqualTo(201);
        Account member = Accounts.login(http, memberEmail, Accounts.PASSWORD);
        assertThat(rotate(member.accessToken(), ownerRotates.text("id")).status()).isEqualTo(404);
        // the admin may revoke the owner's key (no secret changes hands)
        Response revoked = http.method("DELETE", "/api/api-keys/" + ownerRotates.text("id"), null,
                bearer(t.admin().accessToken()));
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
        Response dead = http.get("/api/me", bearer(successor));
        assertThat(dead.status()).isEqualTo(401);
        assertThat(dead.text("code")).isEqualTo("api_key_revoked");
        assertThat(roleOf(t.owner(), t.adminId())).isEqualTo("admin");
    }

    @Test
    void theOwnersOwnKeyMayPromote() {
        Team t = team("owner-key");
        String ownersKey = issued(t.owner().accessToken(), List.copyOf(Scopes.all()), Map.of()).text("key");
        Response promoted = patchRole(ownersKey, t.adminId(), "owner");
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
        assertThat(roleOf(t.owner(), t.adminId())).isEqualTo("owner");
    }

    @Test
    void aKeyIssuesKeysOnlyWithinItself() {
        Team t = team("key-issues");
        Response parent = issued(t.owner().accessToken(), List.of(Scopes.KEYS_MANAGE, Scopes.USERS_READ),
                Map.of("expires_in_days", 1, "rate_limit_per_minute", 100));
        String parentKey = parent.text("key");
        Instant parentExpiry = Instant.parse(parent.text("expires_at"));

        Response wider = issue(parentKey, List.of(Scopes.USERS_MANAGE), Map.of());
        assertThat(wider.status()).as(wider.toString()).isEqualTo(403);
        assertThat(wider.text("code")).isEqualTo("scope_above_key");

        // asked for no expiry and no rate limit: bounded by the issuing key
        Response child = issued(parentKey, List.of(Scopes.USERS_READ), Map.of());
        assertThat(child.text("expires_at")).as(child.toString()).isNotNull();
        assertThat(Instant.parse(child.text("expires_at"))).isBeforeOrEqualTo(parentExpiry);
        assertThat(child.json().path("rate_limit_per_minute").asInt()).isEqualTo(100);
        Response longer = issued(parentKey, List.of(Scopes.USERS_READ),
                Map.of("expires_in_days", 365, "rate_limit_per_minute", 1000));
        assertThat(Instant.parse(longer.text("expires_at"))).isBeforeOrEqualTo(parentExpiry);
        assertThat(longer.json().path("rate_limit_per_minute").asInt()).isEqualTo(100);
        // positive control: within the parent, the child gets what it asks
        Response narrower = issued(parentKey, List.of(Scopes.USERS_READ), Map.of("rate_limit_per_minute", 10));
        assertThat(narrower.json().path("rate_limit_per_minute").asInt()).isEqualTo(10);
        assertThat(http.get("/api/users", bearer(narrower.text("key"))).status()).isEqualTo(200);
        // the child acts for the human behind the parent, not for the parent key
        Response me = http.get("/api/me", bearer(child.text("key")));
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.text("id")).isEqualTo(t.owner().userId());
    }

    @Test
    void aKeyInItsGraceWindowCannotMintAKeyThatOutlivesIt() {
        Team t = team("grace-mint");
        Response leaked = issued(t.owner().accessToken(), List.of(Scopes.KEYS_MANAGE, Scopes.USERS_READ), Map.of());
        Response rotated = http.post("/api/api-keys/" + leaked.text("id") + "/rotate", Map.of("grace_seconds", 600),
                bearer(t.owner().accessToken()));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(201);
        Instant graceEnd = Instant.parse(rotated.text("previous_key_valid_until"));

        Response minted = issued(leaked.text("key"), List.of(Scopes.USERS_READ), Map.of());
        assertThat(minted.text("expires_at")).as(minted.toString()).isNotNull();
        assertThat(Instant.parse(minted.text("expires_at"))).isBeforeOrEqualTo(graceEnd);
        // positive control: the successor, never rotated, issues a key without expiry
        assertThat(issued(rotated.text("key"), List.of(Scopes.USERS_READ), Map.of()).json().path("expires_at")
                .isNull()).isTrue();
    }

    @Test
    void aKeyRotatesOnlyKeysWithinItself() {
        Team t = team("key-rotates");
        String manager = issued(t.owner().accessToken(), List.of(Scopes.KEYS_MANAGE, Scopes.USERS_READ),
                Map.of("expires_in_days", 30)).text("key");
        String wide = issued(t.owner().accessToken(), List.of(Scopes.USERS_MANAGE, Scopes.USERS_READ), Map.of())
                .text("id");
        Response wider = rotate(manager, wide);
        assertThat(wider.status()).as(wider.toString()).isEqualTo(403);
        assertThat(wider.text("code")).isEqualTo("scope_above_key");

        String forever = issued(t.owner().accessToken(), List.of(Scopes.USERS_READ), Map.of()).text("id");
        Response outlives = rotate(manager, forever);
        assertThat(outlives.status()).as(outlives.toString()).isEqualTo(403);
        assertThat(outlives.text("code")).isEqualTo("expiry_above_key");

        String unlimited = issued(t.owner().accessToken(), List.of(Scopes.USERS_READ), Map.of("expires_in_days", 7))
                .text("id");
        String limited = issued(t.owner().accessToken(), List.of(Scopes.KEYS_MANAGE, Scopes.USERS_READ),
                Map.of("rate_limit_per_minute", 60)).text("key");
        Response faster = rotate(limited, unlimited);
        assertThat(faster.status()).as(faster.toString()).isEqualTo(403);
        assertThat(faster.text("code")).isEqualTo("rate_limit_above_key");

        // positive control: a key within the manager is rotated through it
        Response within = rotate(manager, unlimited);
        assertThat(within.status()).as(within.toString()).isEqualTo(201);
        assertThat(http.get("/api/users", bearer(within.text("key"))).status()).isEqualTo(200);
    }

    @Test
    void throughAKeyAUserIsGivenOnlyARoleWhoseEveryScopeTheKeyHolds() {
        Team t = team("key-roles");
        List<String> memberScopes = List.of(Scopes.LATTICES_READ, Scopes.LATTICES_WRITE, Scopes.USAGE_READ,
                Scopes.USERS_READ, Scopes.USERS_MANAGE);
        String provisioner = issued(t.owner().accessToken(), memberScopes, Map.of()).text("key");

        // positive control: a member, whose scopes the key holds
        Response member = addUser(provisioner, Accounts.uniqueEmail("m"), "member");
        assertThat(member.status()).as(member.toString()).isEqualTo(201);
        // but not an owner with a password the key's holder chose, nor an admin
        Response owner = addUser(provisioner, Accounts.uniqueEmail("o"), "owner");
        assertThat(owner.status()).as(owner.toString()).isEqualTo(403);
        assertThat(owner.text("code")).isEqualTo("role_above_key");
        Response admin = addUser(provisioner, Accounts.uniqueEmail("a"), "admin");
        assertThat(admin.status()).as(admin.toString()).isEqualTo(403);
        assertThat(admin.text("code")).isEqualTo("role_above_key");
        Response invitedOwner = http.post("/api/users", Map.of("email", Accounts.uniqueEmail("io"), "role", "owner"),
                bearer(provisioner));
        assertThat(invitedOwner.status()).as(invitedOwner.toString()).isEqualTo(403);
        assertThat(invitedOwner.text("code")).isEqualTo("role_above_key");
        // nor promote anyone above the key
        Response promoted = patchRole(provisioner, member.text("id"), "owner");
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(403);
        assertThat(promoted.text("code")).isEqualTo("role_above_key");
        assertThat(roleOf(t.owner(), member.text("id"))).isEqualTo("member");
        // demoting gives nobody more: allowed
        Response demoted = patchRole(provisioner, member.text("id"), "viewer");
        assertThat(demoted.status()).as(demoted.toString()).isEqualTo(200);
        assertThat(demoted.text("role")).isEqualTo("viewer");
        // and back up to member, within the key
        assertThat(patchRole(provisioner, member.text("id"), "member").status()).isEqualTo(200);
    }
}
