package com.catalytic.projections.usage;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.projections.usage.UsageTables.Call;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.messaging.annotation.MetaDataValue;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds {@code usage_logs} and its hourly roll-up {@code usage_rollups}, asynchronously (a pooled streaming
 * processor, one tenant's calls on one segment): the calls of one processor batch are written together when the
 * batch commits. A call that is stored already is skipped in both tables, so a replay or a retried batch never
 * counts a call twice. A rebuild fills the tables in the database instead ({@link UsageLoad}).
 */
@Component
@ProcessingGroup(ProcessingGroupNames.USAGE)
public class UsageProjection {

    private static final String PENDING = UsageProjection.class.getName() + ".pending";

    private final UsageTables tables;
    private final Timer lag;
    private final Clock clock;

    public UsageProjection(JdbcTemplate jdbc, MeterRegistry meters, Clock clock) {
        this.tables = new UsageTables(jdbc);
        this.clock = clock;
        // how long after the call its row becomes readable: the projection's lag, with p50/p99
        this.lag = Timer.builder("catalytic.usage.projection.lag")
                .description("time from a metered call to its usage_logs row being committed")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    @EventHandler
    void on(UsageRecordedBatchEvent e) {
        List<Call> rows = pending();
        e.records().forEach(r -> rows.add(new Call(e.tenantId(), r)));
        flushIfOutsideUnitOfWork(rows);
    }

    /** The stored form of calls recorded before batching: one event per call, its request id in the metadata. */
    @EventHandler
    void on(UsageRecordedEvent e, @MetaDataValue("request_id") String requestId) {
        List<Call> rows = pending();
        rows.add(new Call(e.tenantId(), new UsageRecord(e.usageId(), e.userId(), e.apiKeyId(), e.endpoint(),
                e.method(), e.status(), e.durationMs(), e.bytes(), e.units(), e.occurredAt(), requestId, null)));
        flushIfOutsideUnitOfWork(rows);
    }

    /** The rows of the current unit of work, written with one JDBC batch when it commits. */
    private List<Call> pending() {
        if (!CurrentUnitOfWork.isStarted()) {
            return new ArrayList<>();
        }
        UnitOfWork<?> uow = CurrentUnitOfWork.get().root();
        return uow.getOrComputeResource(PENDING, k -> {
            List<Call> list = new ArrayList<>();
            uow.onPrepareCommit(u -> tables.write(list));
            uow.afterCommit(u -> {
                Instant now = clock.instant();
                list.forEach(r -> lag.record(Duration.between(r.record().occurredAt(), now)));
            });
            return list;
        });
    }

    private void flushIfOutsideUnitOfWork(List<Call> rows) {
        if (!CurrentUnitOfWork.isStarted()) {
            tables.write(rows);
        }
    }

    @ResetHandler
    void reset() {
        tables.clear();
    }
}
