package com.catalytic.deploy.cluster;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes change one aggregate at the same instant: the loser of each append race (the event store's unique key on
 * aggregate and sequence) is retried by the command gateway, so every change is answered 200 and stored once.
 */
class ConcurrentWritesAcrossNodesTest {

    static final int WRITERS = 16;
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

    @Test
    void concurrentChangesToOneTenantOnTwoNodesAreAllApplied() throws Exception {
        Account owner = Accounts.registerAndLogin(nodeA.http(), "race");
        long before = renames(owner.tenantId());
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                TestApp node = i % 2 == 0 ? nodeA : nodeB;
                String name = "Race " + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    return node.http().method("PATCH", "/api/tenant", "{\"name\":\"" + name + "\"}",
                            bearer(owner.accessToken()));
                }));
            }
            go.countDown();
            for (Future<Response> f : answers) {
                Response r = f.get();
                assertThat(r.status()).as("%s", r).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(renames(owner.tenantId()) - before).as("one rename event per answered change").isEqualTo(WRITERS);
    }

    private static long renames(String tenantId) {
        return nodeA.jdbc().queryForObject("SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE '%TenantRenamedEvent'", Long.class, tenantId);
    }
}
