package com.catalytic.deploy.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.auth.SessionStartedEvent;
import com.catalytic.api.tenant.TenantRegisteredEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.deploy.support.TestApp;
import java.util.Map;
import java.util.Set;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A rebuild of some projections only counts the events that the others handle and none of its own does (a rebuild
 * of the sessions alone does not read the usage events that are most of a store); a group that skips metered calls
 * (the audit trail) does not take them, though its handler takes every event.
 */
class ReplayPassedByTest {

    @ProcessingGroup(ProcessingGroupNames.SESSIONS)
    static final class Sessions {
        @EventHandler
        void on(SessionStartedEvent e) {
        }
    }

    @ProcessingGroup(ProcessingGroupNames.ACCOUNTS)
    static final class Accounts {
        @EventHandler
        void on(TenantRegisteredEvent e) {
        }
    }

    @ProcessingGroup(ProcessingGroupNames.USAGE)
    static final class Usage {
        @EventHandler(payloadType = UsageRecordedBatchEvent.class)
        void on() {
        }
    }

    @ProcessingGroup(ProcessingGroupNames.AUDIT)
    static final class Audit {
        @EventHandler
        void on(Object any) {
        }
    }

    private final GenericApplicationContext ctx = new GenericApplicationContext();

    @BeforeEach
    void context() {
        ctx.registerBean(DataSourceTransactionManager.class, () -> new DataSourceTransactionManager(
                new DriverManagerDataSource(TestApp.pgUrl(), TestApp.pgUser(), "")));
        ctx.registerBean(Sessions.class, Sessions::new);
        ctx.registerBean(Accounts.class, Accounts::new);
        ctx.registerBean(Usage.class, Usage::new);
        ctx.registerBean(Audit.class, Audit::new);
        ctx.refresh();
    }

    @AfterEach
    void close() {
        ctx.close();
    }

    @Test
    void aReplayOfSomeProjectionsPassesByTheEventsOnlyOthersHandle() {
        assertThat(passedBy(ProcessingGroupNames.SESSIONS))
                .contains(UsageRecordedBatchEvent.class, TenantRegisteredEvent.class)
                .doesNotContain(SessionStartedEvent.class);
        assertThat(passedBy(ProcessingGroupNames.SESSIONS, ProcessingGroupNames.AUDIT))
                .as("the audit trail takes every event but metered calls")
                .contains(UsageRecordedBatchEvent.class)
                .doesNotContain(SessionStartedEvent.class, TenantRegisteredEvent.class);
        // the positive control: the usage projection's own events are read when it is rebuilt
        assertThat(passedBy(ProcessingGroupNames.USAGE, ProcessingGroupNames.AUDIT))
                .doesNotContain(UsageRecordedBatchEvent.class, SessionStartedEvent.class, TenantRegisteredEvent.class);
        assertThat(passedBy(ProcessingGroupNames.USAGE)).contains(SessionStartedEvent.class, TenantRegisteredEvent.class)
                .doesNotContain(UsageRecordedBatchEvent.class);
    }

    private Set<Class<?>> passedBy(String... groups) {
        return Replay.of(ctx, Set.of(groups), Map.of()).passedBy();
    }
}
