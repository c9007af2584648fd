package com.catalytic.deploy.team;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.tenant.TenantCommands.ReinstateTenantCommand;
import com.catalytic.api.tenant.TenantCommands.SuspendTenantCommand;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Team management over HTTP: plan limits, role rules, immediate deactivation, removal, invitations, suspension. */
class TeamManagementTest {

    @TempDir
    static Path outbox;
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.mail.outbox-dir", outbox.toString()));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static Map<String, Object> member(String email, String role) {
        return Map.of("email", email, "role", role, "password", Accounts.PASSWORD);
    }

    @Test
    void theFreePlanHasOneSeatAndAnUpgradeOpensMore() {
        Account owner = Accounts.registerAndLogin(http, "seats");
        Response blocked = http.post("/api/users", member(Accounts.uniqueEmail("second"), "member"),
                bearer(owner.accessToken()));
        assertThat(blocked.status()).as(blocked.toString()).isEqualTo(402);
        assertThat(blocked.text("code")).isEqualTo("plan_limit");

        Accounts.changePlan(app, owner.tenantId(), "starter");
        for (int i = 0; i < 2; i++) {
            assertThat(http.post("/api/users", member(Accounts.uniqueEmail("seat" + i), "member"),
                    bearer(owner.accessToken())).status()).isEqualTo(201);
        }
        assertThat(http.post("/api/users", member(Accounts.uniqueEmail("fourth"), "viewer"),
                bearer(owner.accessToken())).text("code")).isEqualTo("plan_limit");
        Response list = http.get("/api/users", bearer(owner.accessToken()));
        assertThat(list.json().path("users").size()).isEqualTo(3);
    }

    @Test
    void roleRulesHold() {
        Account owner = Accounts.registerAndLogin(http, "roles");
        Accounts.changePlan(app, owner.tenantId(), "professional");
        String adminEmail = Accounts.uniqueEmail("admin");
        Response admin = http.post("/api/users", member(adminEmail, "admin"), bearer(owner.accessToken()));
        assertThat(admin.status()).as(admin.toString()).isEqualTo(201);
        assertThat(admin.text("role")).isEqualTo("admin");
        Account adminLogin = Accounts.login(http, adminEmail, Accounts.PASSWORD);

        // an admin cannot create an owner, nor touch the owner
        assertThat(http.post("/api/users", member(Accounts.uniqueEmail("o2"), "owner"),
                bearer(adminLogin.accessToken())).status()).isEqualTo(403);
        assertThat(http.method("PATCH", "/api/users/" + owner.userId(), "{\"role\":\"member\"}",
                bearer(adminLogin.accessToken())).status()).isEqualTo(403);
        assertThat(http.method("DELETE", "/api/users/" + owner.userId(), null,
                bearer(adminLogin.accessToken())).status()).isEqualTo(403);

        // the last owner cannot demote or remove themselves
        Response lastOwner = http.method("PATCH", "/api/users/" + owner.userId(), "{\"role\":\"admin\"}",
                bearer(owner.accessToken()));
        assertThat(lastOwner.status()).isEqualTo(409);
        assertThat(lastOwner.text("code")).isEqualTo("last_owner");
        assertThat(http.method("DELETE", "/api/users/" + owner.userId(), null, bearer(owner.accessToken())).status())
                .isEqualTo(409);

        // a member can read the team but not change it
        String memberEmail = Accounts.uniqueEmail("member");
        String memberId = http.post("/api/users", member(memberEmail, "member"), bearer(owner.accessToken())).text("id");
        Account memberLogin = Accounts.login(http, memberEmail, Accounts.PASSWORD);
        assertThat(http.get("/api/users", bearer(memberLogin.accessToken())).status()).isEqualTo(200);
        assertThat(http.post("/api/users", member(Accounts.uniqueEmail("m2"), "viewer"),
                bearer(memberLogin.accessToken())).status()).isEqualTo(403);

        // promotion takes effect at once, without a new token
        Response promoted = http.method("PATCH", "/api/users/" + memberId, "{\"role\":\"admin\"}",
                bearer(owner.accessToken()));
        assertThat(promoted.text("role")).isEqualTo("admin");
        assertThat(http.get("/api/me", bearer(memberLogin.accessToken())).text("role")).isEqualTo("admin");
        assertThat(http.post("/api/users", member(Accounts.uniqueEmail("m3"), "viewer"),
                bearer(memberLogin.accessToken())).status()).isEqualTo(201);

        // with a second owner, the first may step down
        assertThat(http.method("PATCH", "/api/users/" + memberId, "{\"role\":\"owner\"}", bearer(owner.accessToken()))
                .status()).isEqualTo(200);
        assertThat(http.method("PATCH", "/api/users/" + owner.userId(), "{\"role\":\"admin\"}",
                bearer(owner.accessToken())).text("role")).isEqualTo("admin");
    }

    @Test
    void deactivationStopsTokensAtOnceAndRemovalFreesTheAddress() {
        Account owner = Accounts.registerAndLogin(http, "deact");
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String email = Accounts.uniqueEmail("leaver");
        String id = http.post("/api/users", member(email, "member"), bearer(owner.accessToken())).text("id");
        Account leaver = Accounts.login(http, email, Accounts.PASSWORD);
        assertThat(http.get("/api/me", bearer(leaver.accessToken())).status()).isEqualTo(200);

        Response off = http.method("PATCH", "/api/users/" + id, "{\"active\":false}", bearer(owner.accessToken()));
        assertThat(off.status()).as(off.toString()).isEqualTo(200);
        assertThat(off.json().path("active").asBoolean()).isFalse();
        Response rejected = http.get("/api/me", bearer(leaver.accessToken()));
        assertThat(rejected.status()).isEqualTo(401);
        assertThat(rejected.text("code")).isEqualTo("account_disabled");
        assertThat(http.post("/auth/login", Map.of("email", email, "password", Accounts.PASSWORD)).status())
                .isEqualTo(403);
        assertThat(http.post("/auth/refresh", Map.of("refresh_token", leaver.refreshToken())).status()).isEqualTo(401);

        assertThat(http.method("PATCH", "/api/users/" + id, "{\"active\":true}", bearer(owner.accessToken()))
                .json().path("active").asBoolean()).isTrue();
        assertThat(http.method("DELETE", "/api/users/" + id, null, bearer(owner.accessToken())).status()).isEqualTo(204);
        assertThat(http.get("/api/users/" + id, bearer(owner.accessToken())).status()).isEqualTo(404);
        assertThat(http.post("/auth/login", Map.of("email", email, "password", Accounts.PASSWORD)).status())
                .isEqualTo(401);
        // the address is free again
        assertThat(http.post("/auth/register", Http.registration(email, Accounts.PASSWORD, "Leaver Ltd")).status())
                .isEqualTo(201);
    }

    @Test
    void aRoleAndAnActiveFlagChangeTogetherOrNotAtAllAndUserCountIsTheSeatsUsed() {
        Account owner = Accounts.registerAndLogin(http, "patch-both");
        Accounts.changePlan(app, owner.tenantId(), "starter"); // three seats
        String[] auth = bearer(owner.accessToken());
        String a = http.post("/api/users", member(Accounts.uniqueEmail("pa"), "member"), auth).text("id");
        String b = http.post("/api/users", member(Accounts.uniqueEmail("pb"), "member"), auth).text("id");
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(userCount(auth)).isEqualTo(3);

        assertThat(http.method("PATCH", "/api/users/" + a, "{\"active\":false}", auth).status()).isEqualTo(200);
        assertThat(userCount(auth)).as("a deactivated member holds no seat").isEqualTo(2);
        Response third = http.post("/api/users", member(Accounts.uniqueEmail("pc"), "member"), auth);
        assertThat(third.status()).as(third.toString()).isEqualTo(201);
        assertThat(userCount(auth)).isEqualTo(3);

        // the plan is full: the reactivation is refused, and the role change sent with it is not applied either
        Response both = http.method("PATCH", "/api/users/" + a, "{\"role\":\"viewer\",\"active\":true}", auth);
        assertThat(both.status()).as(both.toString()).isEqualTo(402);
        assertThat(both.text("code")).isEqualTo("plan_limit");
        Response unchanged = http.get("/api/users/" + a, auth);
        assertThat(unchanged.status()).isEqualTo(200);
        assertThat(unchanged.text("role")).isEqualTo("member");
        assertThat(unchanged.json().path("active").asBoolean()).isFalse();
        assertThat(userCount(auth)).isEqualTo(3);

        // controls: the role change alone is applied; with a seat free, both are
        Response roleOnly = http.method("PATCH", "/api/users/" + a, "{\"role\":\"viewer\"}", auth);
        assertThat(roleOnly.status()).as(roleOnly.toString()).isEqualTo(200);
        assertThat(roleOnly.text("role")).isEqualTo("viewer");
        assertThat(http.method("PATCH", "/api/users/" + b, "{\"active\":false}", auth).status()).isEqualTo(200);
        Response together = http.method("PATCH", "/api/users/" + a, "{\"role\":\"admin\",\"active\":true}", auth);
        assertThat(together.status()).as(together.toString()).isEqualTo(200);
        assertThat(together.text("role")).isEqualTo("admin");
        assertThat(together.json().path("active").asBoolean()).isTrue();
        assertThat(userCount(auth)).isEqualTo(3);
        assertThat(http.get("/api/me", auth).json().path("tenant").path("user_count").asInt()).isEqualTo(3);
    }

    private static int userCount(String[] auth) {
        Response tenant = http.get("/api/tenant", auth);
        assertThat(tenant.status()).as(tenant.toString()).isEqualTo(200);
        assertThat(tenant.json().has("user_count")).as(tenant.toString()).isTrue();
        return tenant.json().path("user_count").asInt();
    }

    @Test
    void anInvitationSetsThePasswordOnce() throws Exception {
        Account owner = Accounts.registerAndLogin(http, "invite");
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String email = Accounts.uniqueEmail("invitee");
        Response invited = http.post("/api/users", Map.of("email", email, "role", "viewer"), bearer(owner.accessToken()));
        assertThat(invited.status()).as(invited.toString()).isEqualTo(201);
        assertThat(invited.json().path("invited").asBoolean()).isTrue();
        assertThat(invited.json().path("invitation_sent").asBoolean()).isTrue();
        assertThat(http.post("/auth/login", Map.of("email", email, "password", Accounts.PASSWORD)).status())
                .isEqualTo(401);

        String mail = latestMailTo(email);
        assertThat(mail).contains("Subject: You are invited to invite Inc");
        Matcher m = Pattern.compile("token=([A-Za-z0-9._-]+)").matcher(mail);
        assertThat(m.find()).isTrue();
        String token = m.group(1);

        assertThat(http.post("/auth/invitations/accept", Map.of("token", token, "password", "short")).status())
                .isEqualTo(422);
        assertThat(http.post("/auth/invitations/accept", Map.of("token", token, "password", Accounts.PASSWORD)).status())
                .isEqualTo(204);
        assertThat(Accounts.login(http, email, Accounts.PASSWORD).accessToken()).isNotBlank();
        Response again = http.post("/auth/invitations/accept", Map.of("token", token, "password", "Another-Pass-123"));
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.text("code")).isEqualTo("invalid_invitation");
        assertThat(http.post("/auth/invitations/accept", Map.of("token", "nope.nope", "password", Accounts.PASSWORD))
                .status()).isEqualTo(401);
    }

    @Test
    void aSuspendedTenantIsBlockedUntilReinstated() {
        Account owner = Accounts.registerAndLogin(http, "suspend");
        CommandGateway commands = app.bean(CommandGateway.class);
        commands.sendAndWait(new SuspendTenantCommand(owner.tenantId(), "payment_failed", Actor.system()));
        Response blocked = http.get("/api/me", bearer(owner.accessToken()));
        assertThat(blocked.status()).isEqualTo(403);
        assertThat(blocked.text("code")).isEqualTo("tenant_suspended");
        assertThat(http.get("/api/users", bearer(owner.accessToken())).status()).isEqualTo(403);
        commands.sendAndWait(new ReinstateTenantCommand(owner.tenantId(), "payment_received", Actor.system()));
        assertThat(http.get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);
    }

    @Test
    void ownersRenameTheTenant() {
        Account owner = Accounts.registerAndLogin(http, "rename");
        Response renamed = http.method("PATCH", "/api/tenant", "{\"name\":\"Renamed & Co\"}", bearer(owner.accessToken()));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.text("name")).isEqualTo("Renamed & Co");
        assertThat(http.get("/api/tenant", bearer(owner.accessToken())).text("name")).isEqualTo("Renamed & Co");
        assertThat(http.method("PATCH", "/api/tenant", "{\"name\":\"\"}", bearer(owner.accessToken())).status())
                .isEqualTo(422);
    }

    /** The newest message to {@code email}, once the mail queue has delivered it (in the background). */
    private static String latestMailTo(String email) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            try {
                return latestMailToNow(email);
            } catch (AssertionError notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
    }

    private static String latestMailToNow(String email) throws Exception {
        Files.createDirectories(outbox);
        try (Stream<Path> files = Files.list(outbox)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                if (text.contains("To: " + email)) {
                    return text;
                }
            }
        }
        throw new AssertionError("no e-mail to " + email + " in " + outbox);
    }
}
