package com.catalytic.deploy.cluster;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two application instances sharing one database and Redis (a two-node cluster), plus a third whose Redis is
 * unreachable: a logout on one node is honoured by every other, through Redis or, without it, the database.
 */
class RevocationAcrossNodesTest {

    static String schema = TestApp.newSchema();
    static TestApp nodeA;
    static TestApp nodeB;
    static TestApp nodeWithoutRedis;

    @BeforeAll
    static void start() {
        nodeA = TestApp.start(schema, Map.of());
        nodeB = TestApp.start(schema, Map.of());
        // port 1 on loopback: nothing listens, so every Redis call fails fast
        nodeWithoutRedis = TestApp.start(schema, Map.of("REDIS_PORT", "1"));
    }

    @AfterAll
    static void stop() {
        nodeWithoutRedis.close();
        nodeB.close();
        nodeA.close();
    }

    @Test
    void logoutOnOneNodeIsHonouredByTheOthers() {
        Accounts.Account acct = Accounts.registerAndLogin(nodeA.http(), "cluster");
        assertThat(nodeB.http().get("/api/me", bearer(acct.accessToken())).status()).isEqualTo(200);
        assertThat(nodeWithoutRedis.http().get("/api/me", bearer(acct.accessToken())).status()).isEqualTo(200);

        assertThat(nodeA.http().post("/auth/logout", null, bearer(acct.accessToken())).status()).isEqualTo(204);

        Response onB = nodeB.http().get("/api/me", bearer(acct.accessToken()));
        assertThat(onB.status()).isEqualTo(401);
        assertThat(onB.text("code")).isEqualTo("token_revoked");
        Response fallback = nodeWithoutRedis.http().get("/api/me", bearer(acct.accessToken()));
        assertThat(fallback.status()).as("database fallback when Redis is down").isEqualTo(401);
        assertThat(fallback.text("code")).isEqualTo("token_revoked");
    }

    @Test
    void aNodeWithoutRedisStillServesAndItsLogoutsReachTheOthers() {
        Accounts.Account acct = Accounts.registerAndLogin(nodeWithoutRedis.http(), "noredis");
        assertThat(nodeWithoutRedis.http().get("/health").text("status")).isEqualTo("degraded");
        assertThat(nodeA.http().get("/api/me", bearer(acct.accessToken())).status()).isEqualTo(200);

        assertThat(nodeWithoutRedis.http().post("/auth/logout", null, bearer(acct.accessToken())).status()).isEqualTo(204);

        // the revocation is an event in the shared store: the database fallback on this node sees it at once
        assertThat(nodeWithoutRedis.http().get("/api/me", bearer(acct.accessToken())).status()).isEqualTo(401);
        // its Redis write failed, so the nodes with Redis learn it from their database poll, within seconds
        for (TestApp node : new TestApp[] {nodeA, nodeB}) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(node.http().get("/api/me", bearer(acct.accessToken())).status()).isEqualTo(401));
        }
    }

    @Test
    void loginOnOneNodeRefreshOnAnother() {
        Accounts.Account acct = Accounts.registerAndLogin(nodeA.http(), "hop");
        Response refreshed = nodeB.http().post("/auth/refresh", Map.of("refresh_token", acct.refreshToken()));
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        Response reuse = nodeA.http().post("/auth/refresh", Map.of("refresh_token", acct.refreshToken()));
        assertThat(reuse.text("code")).isEqualTo("refresh_token_reused");
        assertThat(nodeB.http().get("/api/me", bearer(refreshed.text("access_token"))).status()).isEqualTo(401);
    }
}
