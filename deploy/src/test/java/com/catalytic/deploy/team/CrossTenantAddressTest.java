package com.catalytic.deploy.team;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.tenant.TenantCommands.SuspendTenantCommand;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Outbox;
import com.catalytic.deploy.support.Projections;
import com.catalytic.deploy.support.TestApp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Adding an address that belongs to another tenant's user answers exactly as for a fresh address, shows the same in
 * the team, and never lets the adding tenant into that account: its holder gets a notice without a link, keeps
 * signing in and resetting their password, and the address stays theirs.
 */
class CrossTenantAddressTest {

    static Path outbox;
    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        outbox = Files.createTempDirectory("catalytic-outbox-");
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.mail.outbox-dir", outbox.toString()));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** The answer without what differs between any two users (id, address, time). */
    private static JsonNode shape(JsonNode user) {
        ObjectNode copy = user.deepCopy();
        copy.remove(List.of("id", "email", "created_at"));
        return copy;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode memberOf(Response list, String email) {
        for (JsonNode u : list.json().path("users")) {
            if (email.equals(u.path("email").asText())) {
                return u;
            }
        }
        throw new AssertionError(email + " is not in " + list);
    }

    /** Every subject queued for {@code email} so far (the notifications handler queues them all, in order). */
    private static List<String> subjectsQueuedFor(String email) {
        Projections.awaitCaughtUp(app);
        return app.jdbc().queryForList("SELECT subject FROM mail_queue WHERE recipient = ? ORDER BY created_at",
                String.class, email);
    }

    private static Response invite(Account admin, String email, String role) {
        return http.post("/api/users", Map.of("email", email, "role", role), bearer(admin.accessToken()));
    }

    @Test
    void anAddressOfAnotherTenantIsInvitedAsAFreshOneAndStaysItsHolders() {
        Account holder = Accounts.registerAndLogin(http, "holder");
        Account owner = Accounts.registerAndLogin(http, "prober");
        Accounts.changePlan(app, owner.tenantId(), "starter");
        String fresh = Accounts.uniqueEmail("fresh");

        Response freshInvite = invite(owner, fresh, "viewer");
        assertThat(freshInvite.status()).as(freshInvite.toString()).isEqualTo(201);
        Response probe = invite(owner, holder.email(), "viewer");
        assertThat(probe.status()).as(probe.toString()).isEqualTo(201);
        assertThat(fieldNames(probe.json())).isEqualTo(fieldNames(freshInvite.json()));
        assertThat(shape(probe.json())).isEqualTo(shape(freshInvite.json()));
        assertThat(probe.text("email")).isEqualTo(holder.email());
        assertThat(probe.json().path("invitation_sent").asBoolean()).isTrue();

        // the team shows both the same way, and each reads the same
        Response team = http.get("/api/users", bearer(owner.accessToken()));
        assertThat(team.status()).isEqualTo(200);
        assertThat(shape(memberOf(team, holder.email()))).isEqualTo(shape(memberOf(team, fresh)));
        Response probed = http.get("/api/users/" + probe.text("id"), bearer(owner.accessToken()));
        Response invited = http.get("/api/users/" + freshInvite.text("id"), bearer(owner.accessToken()));
        assertThat(probed.status()).isEqualTo(200);
        assertThat(invited.status()).isEqualTo(200);
        assertThat(shape(probed.json())).isEqualTo(shape(invited.json()));
        // and so does the history an auditor of the tenant reads
        List<String> probedHistory = history(owner, probe.text("id"));
        assertThat(probedHistory).isEqualTo(history(owner, freshInvite.text("id")));
        assertThat(probedHistory).hasSize(2).satisfiesExactly(
                e -> assertThat(e).startsWith("UserRegisteredEvent"),
                e -> assertThat(e).startsWith("InvitationIssuedEvent"));

        // again, in this tenant: both are this tenant's members now, and say so alike
        Response again = invite(owner, holder.email(), "member");
        Response freshAgain = invite(owner, fresh, "member");
        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        assertThat(freshAgain.status()).as(freshAgain.toString()).isEqualTo(409);
        assertThat(again.text("code")).isEqualTo(freshAgain.text("code")).isEqualTo("email_taken");

        // the fresh address gets a link; the holder a notice without one, and no invitation
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(Outbox.messagesTo(outbox, fresh))
                .anySatisfy(m -> assertThat(m).contains("accept-invitation?token=")));
        Matcher link = Pattern.compile("accept-invitation\\?token=[^.\\s]+\\.([A-Za-z0-9_-]+)")
                .matcher(Outbox.messagesTo(outbox, fresh).get(0));
        assertThat(link.find()).isTrue();
        assertThat(freshInvite.raw()).as("the link's secret goes to the address only").doesNotContain(link.group(1));
        assertThat(subjectsQueuedFor(holder.email())).hasSize(2)
                .anySatisfy(s -> assertThat(s).startsWith("Welcome to Catalytic Computing"))
                .anySatisfy(s -> assertThat(s)
                        .isEqualTo("Your address was not added to prober Inc on Catalytic Computing"))
                .noneSatisfy(s -> assertThat(s).containsIgnoringCase("invited"));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(Outbox.messagesTo(outbox, holder.email()))
                .anySatisfy(m -> assertThat(m).contains("tried to add this address to their team")));
        assertThat(Outbox.messagesTo(outbox, holder.email())).allSatisfy(m -> assertThat(m)
                .doesNotContain("token=", "accept-invitation", "reset-password"));

        // the holder still signs in to their own tenant, and resets their own password
        Response login = http.post("/auth/login", Map.of("email", holder.email(), "password", Accounts.PASSWORD));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        Response me = http.get("/api/me", bearer(login.text("access_token")));
        assertThat(me.text("id")).isEqualTo(holder.userId());
        assertThat(me.json().path("tenant").path("id").asText()).isEqualTo(holder.tenantId());
        // the link goes to the configured front end, whatever the request claims to come through
        assertThat(http.post("/auth/password-reset", Map.of("email", holder.email()),
                "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(Outbox.messagesTo(outbox, holder.email()))
                .anySatisfy(m -> assertThat(m).contains("reset-password?token=")));
        String resetMail = Outbox.messagesTo(outbox, holder.email()).stream()
                .filter(m -> m.contains("reset-password?token=")).findFirst().orElseThrow();
        assertThat(resetMail).contains("http://localhost:8000/reset-password?token=").doesNotContain("evil.example");
        Matcher token = Pattern.compile("reset-password\\?token=([A-Za-z0-9._-]+)").matcher(resetMail);
        assertThat(token.find()).isTrue();
        assertThat(token.group(1)).startsWith(holder.userId() + ".");
        assertThat(http.post("/auth/password-reset/confirm", Map.of("token", token.group(1), "password",
                "the holder's new passphrase")).status()).isEqualTo(204);
        Account relogged = Accounts.login(http, holder.email(), "the holder's new passphrase");
        assertThat(http.get("/api/me", bearer(relogged.accessToken())).text("id")).isEqualTo(holder.userId());

        // the member added takes a seat like any invitation; removing it frees the seat, not the holder's address
        Response full = invite(owner, Accounts.uniqueEmail("fourth"), "viewer");
        assertThat(full.status()).as(full.toString()).isEqualTo(402);
        assertThat(http.method("DELETE", "/api/users/" + probe.text("id"), null, bearer(owner.accessToken())).status())
                .isEqualTo(204);
        assertThat(invite(owner, Accounts.uniqueEmail("fourth"), "viewer").status()).isEqualTo(201);
        Response register = http.post("/auth/register", Http.registration(holder.email(), Accounts.PASSWORD, "Copy"));
        assertThat(register.status()).isEqualTo(409);
        assertThat(register.text("code")).isEqualTo("email_taken");
        assertThat(Accounts.login(http, holder.email(), "the holder's new passphrase").accessToken()).isNotBlank();
    }

    @Test
    void anAddressOfAnotherTenantAddedWithAPasswordAnswersAsAFreshOneButNeverSignsInThere() {
        Account holder = Accounts.registerAndLogin(http, "holder-pw");
        Account owner = Accounts.registerAndLogin(http, "setter");
        Accounts.changePlan(app, owner.tenantId(), "professional");
        String fresh = Accounts.uniqueEmail("fresh-pw");
        String chosen = "a password the admin chose";

        Response freshAdd = http.post("/api/users", Map.of("email", fresh, "role", "admin", "password", chosen),
                bearer(owner.accessToken()));
        assertThat(freshAdd.status()).as(freshAdd.toString()).isEqualTo(201);
        Response probe = http.post("/api/users", Map.of("email", holder.email(), "role", "admin", "password", chosen),
                bearer(owner.accessToken()));
        assertThat(probe.status()).as(probe.toString()).isEqualTo(201);
        assertThat(fieldNames(probe.json())).isEqualTo(fieldNames(freshAdd.json()));
        assertThat(shape(probe.json())).isEqualTo(shape(freshAdd.json()));
        Response team = http.get("/api/users", bearer(owner.accessToken()));
        assertThat(shape(memberOf(team, holder.email()))).isEqualTo(shape(memberOf(team, fresh)));

        // the password set in this tenant never opens the holder's address; the holder's own still does
        assertThat(http.post("/auth/login", Map.of("email", fresh, "password", chosen)).status()).isEqualTo(200);
        assertThat(http.post("/auth/login", Map.of("email", holder.email(), "password", chosen)).status())
                .isEqualTo(401);
        Account holderAgain = Accounts.login(http, holder.email(), Accounts.PASSWORD);
        assertThat(http.get("/api/me", bearer(holderAgain.accessToken())).text("id")).isEqualTo(holder.userId());

        // the tenant's mail goes to its members who sign in, not to the holder's address
        app.bean(CommandGateway.class).sendAndWait(new SuspendTenantCommand(owner.tenantId(), "test", Actor.system()));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(Outbox.messagesTo(outbox, fresh))
                .anySatisfy(m -> assertThat(m).contains("is suspended")));
        assertThat(subjectsQueuedFor(holder.email())).noneSatisfy(s -> assertThat(s).containsIgnoringCase("suspended"))
                .anySatisfy(s -> assertThat(s).startsWith("Your address was not added to setter Inc"));
    }

    /** Each event of the user's history: its type and the fields of its payload an auditor reads. */
    private static List<String> history(Account auditor, String userId) {
        Response history = http.get("/api/history/user/" + userId, bearer(auditor.accessToken()));
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        List<String> events = new ArrayList<>();
        for (JsonNode e : history.json().path("events")) {
            events.add(e.path("type").asText() + fieldNames(e.path("payload")));
        }
        return events;
    }
}
