package com.catalytic.deploy.auth;

import static com.catalytic.deploy.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.catalytic.api.auth.SessionStartedEvent;
import com.catalytic.api.identity.TenantScoped;
import com.catalytic.deploy.support.Accounts;
import com.catalytic.deploy.support.Accounts.Account;
import com.catalytic.deploy.support.Http;
import com.catalytic.deploy.support.Http.Response;
import com.catalytic.deploy.support.TestApp;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The read tables that authentication checks ({@code auth_sessions}, {@code api_keys}) stay as they are when a
 * tenant's events are delivered again, as a rebuild's catch-up may deliver them: the refreshed session keeps its
 * expiry, the revoked key stays revoked and keeps its last use (written beside the events, so no event restores it).
 */
class CredentialRedeliveryTest {

    static TestApp app;
    static Http http;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of("catalytic.api-keys.last-used-flush-interval", "200"));
        http = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void deliveredAgainTheEventsOfASessionAndAKeyChangeNothing() {
        Account owner = Accounts.registerAndLogin(http, "redelivery");
        Response refreshed = http.post("/auth/refresh", Map.of("refresh_token", owner.refreshToken()));
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        Response issued = http.post("/api/api-keys", Map.of("name", "ci", "scopes", List.of("users:read")),
                bearer(owner.accessToken()));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        String keyId = issued.text("id");
        assertThat(http.get("/api/me", "X-API-Key", issued.text("key")).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> app.jdbc().queryForObject(
                "SELECT last_used_at FROM api_keys WHERE id = ?", Timestamp.class, keyId) != null);
        Response revoked = http.method("DELETE", "/api/api-keys/" + keyId, null, bearer(owner.accessToken()));
        assertThat(revoked.status()).as(revoked.toString()).isIn(200, 204);

        String sessions = "SELECT * FROM auth_sessions WHERE tenant_id = ? ORDER BY id";
        String keys = "SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY id";
        List<Map<String, Object>> sessionsBefore = app.jdbc().queryForList(sessions, owner.tenantId());
        List<Map<String, Object>> keysBefore = app.jdbc().queryForList(keys, owner.tenantId());
        assertThat(keysBefore).singleElement().satisfies(k -> {
            assertThat(k.get("revoked_at")).as("revoked").isNotNull();
            assertThat(k.get("last_used_at")).as("used").isNotNull();
        });

        List<TrackedEventMessage<?>> stored;
        try (var stream = app.bean(EventStorageEngine.class).readEvents(null, false)) {
            stored = stream.filter(e -> e.getPayload() instanceof TenantScoped scoped
                    && scoped.tenantId().equals(owner.tenantId())).<TrackedEventMessage<?>>map(e -> e).toList();
        }
        // the session's start is among them, and its expiry is no longer the row's: the refresh moved it
        SessionStartedEvent started = stored.stream().map(TrackedEventMessage::getPayload)
                .filter(SessionStartedEvent.class::isInstance).map(SessionStartedEvent.class::cast).findFirst()
                .orElseThrow();
        assertThat(sessionsBefore).singleElement().satisfies(s -> assertThat(((Timestamp) s.get("expires_at"))
                .toInstant()).isAfter(started.expiresAt()));

        List<AnnotationEventHandlerAdapter> projections = List.of(
                new AnnotationEventHandlerAdapter(app.bean("sessionProjection", Object.class)),
                new AnnotationEventHandlerAdapter(app.bean("apiKeyProjection", Object.class)));
        var uow = DefaultUnitOfWork.startAndGet(null);
        uow.attachTransaction(new SpringTransactionManager(app.bean(PlatformTransactionManager.class)));
        uow.execute(() -> stored.forEach(e -> projections.forEach(p -> {
            try {
                p.handle(e);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        })));

        assertThat(app.jdbc().queryForList(sessions, owner.tenantId())).isEqualTo(sessionsBefore);
        assertThat(app.jdbc().queryForList(keys, owner.tenantId())).isEqualTo(keysBefore);
        assertThat(http.get("/api/me", "X-API-Key", issued.text("key")).status()).as("the revoked key")
                .isEqualTo(401);
    }
}
