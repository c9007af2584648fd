package com.catalytic.deploy.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.catalytic.client.ApiClient;
import com.catalytic.client.ApiException;
import com.catalytic.client.api.AccountApi;
import com.catalytic.client.api.ApiKeysApi;
import com.catalytic.client.api.AuditApi;
import com.catalytic.client.api.AuthenticationApi;
import com.catalytic.client.api.LatticesApi;
import com.catalytic.client.api.TeamApi;
import com.catalytic.client.api.UsageApi;
import com.catalytic.client.api.WebhooksApi;
import com.catalytic.client.model.AddUserRequest;
import com.catalytic.client.model.CreateLatticeRequest;
import com.catalytic.client.model.CreateWebhookRequest;
import com.catalytic.client.model.IssueRequest;
import com.catalytic.client.model.LatticeView;
import com.catalytic.client.model.LoginRequest;
import com.catalytic.client.model.MeView;
import com.catalytic.client.model.PathRequest;
import com.catalytic.client.model.RegisterRequest;
import com.catalytic.client.model.Registration;
import com.catalytic.client.model.TokenPair;
import com.catalytic.client.model.UserView;
import com.catalytic.client.model.VerifyRequest;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.TestApp;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The Java client generated at build time from docs/openapi.json (which HttpSurfaceTest holds equal to the served
 * document) drives the main flows against the running application: a mismatch between what the document says
 * and what the service does fails here (a field the client sends that the service ignores, an answer it cannot
 * read, a status the document does not name).
 */
class GeneratedClientTest {

    @Test
    void theMainFlowsThroughTheGeneratedClient() throws Exception {
        String schema = TestApp.newSchema();
        try (TestApp app = TestApp.start(schema, Map.of("catalytic.plans.free.users", "10"))) {
            ApiClient anonymous = client(app, null);
            String email = Accounts.uniqueEmail("client");
            Registration registered = new AuthenticationApi(anonymous).postAuthRegister(new RegisterRequest()
                    .email(email).password(Accounts.PASSWORD).companyName("Generated Clients Ltd"));
            assertThat(registered.getEmail()).isEqualTo(email);
            TokenPair tokens = new AuthenticationApi(anonymous).postAuthLogin(new LoginRequest().email(email)
                    .password(Accounts.PASSWORD));
            assertThat(tokens.getTokenType()).isEqualTo("Bearer");
            ApiClient owner = client(app, tokens.getAccessToken());

            MeView me = new AccountApi(owner).getMe();
            assertThat(me.getTenant().getId()).isEqualTo(registered.getTenantId());
            assertThat(me.getRole()).isEqualTo("owner");

            TeamApi team = new TeamApi(owner);
            AddUserRequest member = new AddUserRequest().email(Accounts.uniqueEmail("member")).role("viewer")
                    .password(Accounts.PASSWORD);
            String retryKey = UUID.randomUUID().toString();
            Map<String, Object> added = team.postUsers(member, retryKey);
            assertThat(added).containsEntry("role", "viewer");
            assertThat(team.postUsers(member, retryKey)).as("a retry with its Idempotency-Key: the same answer")
                    .isEqualTo(added);
            List<UserView> users = team.getUsers().get("users");
            assertThat(users).extracting(UserView::getId).contains(registered.getUserId(), (String) added.get("id"));

            Map<String, Object> issued = new ApiKeysApi(owner).postApiKeys(new IssueRequest().name("client")
                    .scopes(Set.of("lattices:read", "lattices:write", "usage:read")), null);
            String key = (String) issued.get("key");
            assertThat(key).startsWith("clc_live_");
            assertThat(new ApiKeysApi(owner).getApiKeys().get("api_keys")).hasSize(1);

            ApiClient byKey = client(app, null).setRequestInterceptor(b -> b.header("X-API-Key", key));
            LatticesApi lattices = new LatticesApi(byKey);
            Map<String, Object> created = lattices.postLattices(new CreateLatticeRequest().name("grid").dimensions(2)
                    .size(4), null);
            String latticeId = (String) created.get("id");
            LatticeView view = lattices.getLatticesById(latticeId);
            assertThat(view.getVertices()).isEqualByComparingTo(BigDecimal.valueOf(16));
            Map<String, Object> path = lattices.postLatticesByIdPath(latticeId, new PathRequest().start(List.of(0, 0))
                    .end(List.of(3, 3)), null);
            assertThat(path).containsEntry("reachable", true).containsEntry("length", 6);
            assertThat(lattices.getLatticesByIdOperations(latticeId, null, null).get("operations")).asList().hasSize(1);
            ApiException missing = (ApiException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> lattices.getLatticesById("no-such-lattice"));
            assertThat(missing.getCode()).isEqualTo(404);
            assertThat(missing.getResponseBody()).contains("\"code\":\"not_found\"");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    new UsageApi(byKey).getUsageLogs(null, null).get("logs")).asList().isNotEmpty());
            assertThat(new UsageApi(byKey).getUsage(null, null, "day")).containsKeys("totals", "quota", "series");

            Map<String, Object> webhook = new WebhooksApi(owner).postWebhooks(new CreateWebhookRequest()
                    .url("https://93.184.215.14/hooks").eventTypes(Set.of("lattice.created")), null);
            assertThat((String) webhook.get("secret")).startsWith("whsec_");
            assertThat(new WebhooksApi(owner).getWebhooks().get("webhooks")).hasSize(1);

            AuditApi audit = new AuditApi(owner);
            String checkpoint = (String) audit.getAuditLogsCheckpoint().get("signature");
            assertThat(audit.postAuditLogsVerify(new VerifyRequest().checkpoint(checkpoint), null))
                    .containsEntry("valid", true);
            assertThat(audit.getAuditLogs(null, null, null, null, null, null, 10, null).get("audit_logs")).asList()
                    .isNotEmpty();
            assertThatThrownBy(() -> new AuditApi(byKey).getAuditLogs(null, null, null, null, null, null, 10, null))
                    .as("the key lacks audit:read").isInstanceOf(ApiException.class)
                    .extracting(e -> ((ApiException) e).getCode()).isEqualTo(403);
        } finally {
            TestApp.adminJdbc().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static ApiClient client(TestApp app, String accessToken) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(app.http().base());
        if (accessToken != null) {
            client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + accessToken));
        }
        return client;
    }
}
