package com.catalytic.deploy.cluster;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.apikey.ApiKeyMessages.IssueApiKeyCommand;
import com.catalytic.api.identity.Actor;
import com.catalytic.api.identity.Role;
import com.catalytic.api.tenant.TenantCommands.SuspendTenantCommand;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.credentials.ApiKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes sharing the database: a key whose verification is cached on node B is rejected by B within one second
 * of being revoked, rotated out or suspended on node A, and at its expiry instant.
 */
class ApiKeysAcrossNodesTest {

    static final Duration WITHIN = Duration.ofSeconds(1);
    static String schema = TestApp.newSchema();
    static TestApp nodeA;
    static TestApp nodeB;

    @BeforeAll
    static void start() {
        nodeA = TestApp.start(schema, Map.of());
        nodeB = TestApp.start(schema, Map.of());
    }

    @AfterAll
    static void stop() {
        nodeB.close();
        nodeA.close();
    }

    private static String warmKey(Account owner) {
        String key = nodeA.http().post("/api/api-keys", Map.of("name", "k", "scopes", List.of("users:read")),
                bearer(owner.accessToken())).text("key");
        assertThat(nodeB.http().get("/api/me", bearer(key)).status()).as("cache on B is warm").isEqualTo(200);
        return key;
    }

    private static void rejectedOnBWithin(String key, int status, String code) {
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            Response r = nodeB.http().get("/api/me", bearer(key));
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.text("code")).isEqualTo(code);
        });
    }

    @Test
    void revokedOnARejectedOnB() {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "x-revoke");
        String key = warmKey(owner);
        String id = nodeA.http().get("/api/api-keys", bearer(owner.accessToken())).json().path("api_keys").path(0)
                .path("id").asText();
        assertThat(nodeA.http().method("DELETE", "/api/api-keys/" + id, null, bearer(owner.accessToken())).status())
                .isEqualTo(204);
        rejectedOnBWithin(key, 401, "api_key_revoked");
    }

    @Test
    void rotatedOutOnARejectedOnB() {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "x-rotate");
        String key = warmKey(owner);
        String id = nodeA.http().get("/api/api-keys", bearer(owner.accessToken())).json().path("api_keys").path(0)
                .path("id").asText();
        assertThat(nodeA.http().post("/api/api-keys/" + id + "/rotate", Map.of("grace_seconds", 0),
                bearer(owner.accessToken())).status()).isEqualTo(201);
        rejectedOnBWithin(key, 401, "api_key_rotated");
    }

    @Test
    void suspendedOnARejectedOnB() {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "x-suspend");
        String key = warmKey(owner);
        assertThat(nodeB.http().get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(200);
        nodeA.bean(CommandGateway.class).sendAndWait(new SuspendTenantCommand(owner.tenantId(), "test", Actor.system()));
        rejectedOnBWithin(key, 403, "tenant_suspended");
        assertThat(nodeB.http().get("/api/me", bearer(owner.accessToken())).status()).isEqualTo(403);
    }

    @Test
    void expiredKeysAreRejectedAtTheirExpiry() {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "x-expire");
        String key = ApiKeys.generate();
        Instant expiresAt = Instant.now().plusSeconds(2);
        nodeA.bean(CommandGateway.class).sendAndWait(new IssueApiKeyCommand("k-" + owner.userId(), owner.tenantId(),
                "short-lived", Set.of("users:read"), expiresAt, ApiKeys.hash(key), ApiKeys.displayPrefix(key), null,
                new Actor(owner.userId(), Role.OWNER, null), null));
        assertThat(nodeB.http().get("/api/me", bearer(key)).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(4)).untilAsserted(() -> {
            Response r = nodeB.http().get("/api/me", bearer(key));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.text("code")).isEqualTo("api_key_expired");
        });
        assertThat(Instant.now()).isAfterOrEqualTo(expiresAt);
    }
}
