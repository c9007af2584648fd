package com.catalytic.deploy.metering;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.catalytic.api.tenant.TenantEvents.TenantRenamedEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.deploy.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericTrackedEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.SerializedMessage;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The streaming handlers that take every event (the audit trail, webhook planning) skip metered calls by payload
 * type: a batch of calls, the bulk of the event stream, is deserialized by the usage projection only. Shown with
 * payloads that cannot be read: under a usage type they pass those handlers, the same bytes under a type the
 * handlers do read fail.
 */
class UsageEventsUnreadTest {

    static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.start(TestApp.newSchema(), Map.of());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static EventMessage<?> unreadable(Class<?> type) {
        Serializer serializer = app.bean("eventSerializer", Serializer.class);
        SerializedMessage<?> message = new SerializedMessage<>(UUID.randomUUID().toString(),
                new SimpleSerializedObject<>("not json".getBytes(StandardCharsets.UTF_8), byte[].class,
                        type.getName(), "1"),
                new SimpleSerializedObject<>("{\"tenant_id\":\"t-1\"}".getBytes(StandardCharsets.UTF_8),
                        byte[].class, MetaData.class.getName(), null), serializer);
        return new GenericTrackedEventMessage<>(new GlobalSequenceTrackingToken(1), message, Instant::now);
    }

    @Test
    void theAuditTrailAndWebhookPlanningNeverReadABatchOfCalls() {
        for (String bean : new String[] {"auditProjection", "webhookDeliveryPlanner"}) {
            AnnotationEventHandlerAdapter handler = new AnnotationEventHandlerAdapter(app.bean(bean, Object.class));
            assertThatCode(() -> handler.handle(unreadable(UsageRecordedBatchEvent.class))).as(bean)
                    .doesNotThrowAnyException();
            assertThatCode(() -> handler.handle(unreadable(UsageRecordedEvent.class))).as(bean)
                    .doesNotThrowAnyException();
            assertThatThrownBy(() -> handler.handle(unreadable(TenantRenamedEvent.class)))
                    .as("%s reads the payload of the events it handles", bean).isNotNull();
        }
    }
}
