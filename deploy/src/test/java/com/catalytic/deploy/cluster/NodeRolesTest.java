package com.catalytic.deploy.cluster;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.command.webhook.delivery.WebhookDeliveries;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.TestApp;
import com.catalytic.infrastructure.mail.QueuedEmailSender;
import com.catalytic.projections.EventProcessingGroup.Mode;
import com.catalytic.projections.EventProcessingGroup;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Three nodes on one database, each with some of the roles (catalytic.node.roles): the command API on one, the query
 * API on another, projections and dispatchers on the third. Each serves the routes of its roles only (another side's
 * route is a 404 there and a success on the node that holds it), runs the streaming processors and dispatchers of
 * its roles only, and together they are the whole system: what one node accepts, another shows and a third projects
 * and sends.
 */
class NodeRolesTest {

    static final String SCHEMA = TestApp.newSchema();
    static TestApp commands;
    static TestApp queries;
    static TestApp worker;

    @BeforeAll
    static void start() {
        // webhook deliveries on (TestApp turns them off): the worker's dispatcher is what this test looks for
        Map<String, String> dispatching = Map.of("catalytic.webhooks.dispatch-interval", "1s");
        commands = TestApp.start(SCHEMA, with(dispatching, "commands"));
        queries = TestApp.start(SCHEMA, with(dispatching, "queries"));
        worker = TestApp.start(SCHEMA, with(dispatching, "projections,dispatchers"));
    }

    private static Map<String, String> with(Map<String, String> settings, String roles) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("catalytic.node.roles", roles);
        return all;
    }

    @AfterAll
    static void stop() {
        worker.close();
        queries.close();
        commands.close();
    }

    @Test
    void eachNodeServesTheRoutesOfItsRolesOnly() {
        Account owner = Accounts.registerAndLogin(commands.http(), "roles");
        String[] auth = bearer(owner.accessToken());

        assertThat(queries.http().get("/api/me", auth).status()).as("query API on the queries node").isEqualTo(200);
        assertThat(queries.http().get("/api/plans").status()).isEqualTo(200);
        notServed(commands.http().get("/api/me", auth));
        notServed(commands.http().get("/api/plans"));
        notServed(worker.http().get("/api/me", auth));

        Map<String, Object> registration = Http.registration(Accounts.uniqueEmail("roles"), Accounts.PASSWORD, "R");
        notServed(queries.http().post("/auth/register", registration));
        notServed(worker.http().post("/auth/register", registration));
        assertThat(commands.http().post("/auth/register", registration).status()).as("command API on the commands node")
                .isEqualTo(201);

        // a change sent with an Idempotency-Key to a node that does not serve it is run by the one that does (the
        // 404 is not kept as the key's answer), and a repeat there replays that node's answer
        String[] once = {"Authorization", "Bearer " + owner.accessToken(), "Idempotency-Key", "misrouted-1"};
        Map<String, Object> key = Map.of("name", "k", "scopes", List.of("users:read"));
        // the path is the query side's too (GET lists the keys): this method is not allowed here
        Response misrouted = queries.http().post("/api/api-keys", key, once);
        assertThat(misrouted.status()).as("%s", misrouted).isEqualTo(405);
        Response issued = commands.http().post("/api/api-keys", key, once);
        assertThat(issued.status()).as("%s", issued).isEqualTo(201);
        assertThat(issued.header("Idempotent-Replayed")).isNull();
        Response repeated = commands.http().post("/api/api-keys", key, once);
        assertThat(repeated.status()).isEqualTo(201);
        assertThat(repeated.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(repeated.text("id")).isEqualTo(issued.text("id"));

        for (TestApp node : new TestApp[] {commands, queries, worker}) {
            assertThat(node.http().get("/health").status()).as("health on every node").isEqualTo(200);
        }
    }

    @Test
    void streamingProcessorsAndDispatchersRunOnTheirNodesOnly() {
        for (TestApp node : new TestApp[] {commands, queries}) {
            assertThat(node.bean(QueuedEmailSender.class).isRunning()).as("mail dispatcher").isFalse();
            assertThat(node.bean(WebhookDeliveries.class).isRunning()).as("webhook dispatcher").isFalse();
            assertThat(streaming(node)).as("streaming processors").isEmpty();
        }
        assertThat(worker.bean(QueuedEmailSender.class).isRunning()).as("mail dispatcher on the worker").isTrue();
        assertThat(worker.bean(WebhookDeliveries.class).isRunning()).as("webhook dispatcher on the worker").isTrue();
        assertThat(streaming(worker)).as("streaming processors on the worker").containsExactlyInAnyOrderElementsOf(
                Arrays.stream(EventProcessingGroup.values())
                        .filter(g -> g.mode() == Mode.POOLED_STREAMING)
                        .map(EventProcessingGroup::groupName).toList());

        // what the commands node accepts, the worker projects (audit) and sends (the welcome e-mail)
        Account owner = Accounts.registerAndLogin(commands.http(), "worker");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(worker.jdbc().queryForObject("SELECT COUNT(*) FROM audit_logs WHERE tenant_id = ?",
                    Long.class, owner.tenantId())).as("audit rows of the new tenant").isPositive();
            assertThat(worker.jdbc().queryForObject("SELECT COUNT(*) FROM mail_queue WHERE recipient = ? "
                    + "AND sent_at IS NOT NULL", Long.class, owner.email())).as("e-mails sent").isPositive();
        });
    }

    /**
     * The rule docs/OPERATIONS.md gives a load balancer that splits the two APIs: reads (GET) are the query side's,
     * everything else the command side's, except the routes listed here and there.
     */
    @Test
    void readsAreTheQuerySidesExceptTheDocumentedRoutes() {
        Set<String> commandReads = Set.of("GET /.well-known/jwks.json", "GET /api/webhooks/{id}/deliveries");
        Set<String> queryWrites = Set.of("POST /api/audit-logs/verify");
        Set<String> everyNode = routes(worker);
        assertThat(everyNode).as("routes of every node").contains("GET /health")
                .noneMatch(r -> r.contains(" /api/") || r.contains(" /auth/"));
        Set<String> commandRoutes = routes(commands);
        commandRoutes.removeAll(everyNode);
        Set<String> queryRoutes = routes(queries);
        queryRoutes.removeAll(everyNode);
        assertThat(commandRoutes).as("command routes").contains("POST /auth/register").containsAll(commandReads);
        assertThat(queryRoutes).as("query routes").contains("GET /api/me").containsAll(queryWrites);
        assertThat(commandRoutes).as("command routes").allMatch(r -> !r.startsWith("GET ") || commandReads.contains(r));
        assertThat(queryRoutes).as("query routes").allMatch(r -> r.startsWith("GET ") || queryWrites.contains(r));
    }

    /** "METHOD /path" of every route a node serves. */
    private static Set<String> routes(TestApp node) {
        Set<String> routes = new TreeSet<>();
        node.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class).getHandlerMethods().keySet()
                .forEach(info -> info.getMethodsCondition().getMethods().forEach(m -> info.getPatternValues()
                        .forEach(p -> routes.add(m + " " + p))));
        return routes;
    }

    private static void notServed(Response response) {
        assertThat(response.status()).as("%s", response).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    }

    /** The names of the streaming processors running on a node. */
    private static List<String> streaming(TestApp node) {
        Map<String, EventProcessor> processors = node.bean(EventProcessingConfiguration.class).eventProcessors();
        return processors.values().stream()
                .filter(p -> p instanceof StreamingEventProcessor && p.isRunning())
                .map(EventProcessor::getName).toList();
    }
}
