package com.catalytic.deploy.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.identity.Actor;
import com.catalytic.api.tenant.TenantCommands;
import java.util.Map;
import java.util.UUID;
import org.axonframework.commandhandling.gateway.CommandGateway;

/** Registers and logs in throw-away accounts. */
public final class Accounts {

    public static final String PASSWORD = "Tr1cky-Lattice-Pass";

    public record Account(String email, String tenantId, String userId, String accessToken, String refreshToken) {
    }

    private Accounts() {
    }

    public static String uniqueEmail(String hint) {
        return hint + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    public static Account login(Http http, String email, String password) {
        Http.Response login = http.post("/auth/login", Map.of("email", email, "password", password));
        assertThat(login.status()).as("login %s", login).isEqualTo(200);
        return new Account(email, null, null, login.text("access_token"), login.text("refresh_token"));
    }

    /** Moves a tenant to another plan, as billing or an operator would. */
    public static void changePlan(TestApp app, String tenantId, String plan) {
        app.bean(CommandGateway.class).sendAndWait(
                new TenantCommands.ChangePlanCommand(tenantId, plan,
                        Actor.system()));
    }

    public static Account registerAndLogin(Http http, String hint) {
        String email = uniqueEmail(hint);
        Http.Response reg = http.post("/auth/register", Http.registration(email, PASSWORD, hint + " Inc"));
        assertThat(reg.status()).as("register %s", reg).isEqualTo(201);
        Http.Response login = http.post("/auth/login", Map.of("email", email, "password", PASSWORD));
        assertThat(login.status()).as("login %s", login).isEqualTo(200);
        return new Account(email, reg.text("tenant_id"), reg.text("user_id"), login.text("access_token"),
                login.text("refresh_token"));
    }
}
