package com.catalytic.projections.usage;

import com.catalytic.api.ProcessingGroupNames;
import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
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
 * Builds {@code usage_logs}, asynchronously (a pooled streaming processor): the rows of one processor batch are
 * written with one JDBC batch when the batch commits. Inserting a row that exists is a no-op, so a replay or a
 * retried batch never duplicates a call.
 */
@Component
@ProcessingGroup(ProcessingGroupNames.USAGE)
public class UsageProjection {

    private static final String PENDING = UsageProjection.class.getName() + ".pending";

    private final JdbcTemplate jdbc;
    private final Timer lag;
    private final Clock clock;

    public UsageProjection(JdbcTemplate jdbc, MeterRegistry meters, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        // how long after the call its row becomes readable: the projection's lag, with p50/p99
        this.lag = Timer.builder("catalytic.usage.projection.lag")
                .description("time from a metered call to its usage_logs row being committed")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    private record Row(String tenantId, UsageRecord record) {
    }

    @EventHandler
    void on(UsageRecordedBatchEvent e) {
        List<Row> rows = pending();
        e.records().forEach(r -> rows.add(new Row(e.tenantId(), r)));
        flushIfOutsideUnitOfWork(rows);
    }

    /** The stored form of calls recorded before batching: one event per call, its request id in the metadata. */
    @EventHandler
    void on(UsageRecordedEvent e, @MetaDataValue("request_id") String requestId) {
        List<Row> rows = pending();
        rows.add(new Row(e.tenantId(), new UsageRecord(e.usageId(), e.userId(), e.apiKeyId(), e.endpoint(),
                e.method(), e.status(), e.durationMs(), e.bytes(), e.units(), e.occurredAt(), requestId, null)));
        flushIfOutsideUnitOfWork(rows);
    }

    /** The rows of the current unit of work, written with one JDBC batch when it commits. */
    private List<Row> pending() {
        if (!CurrentUnitOfWork.isStarted()) {
            return new ArrayList<>();
        }
        UnitOfWork<?> uow = CurrentUnitOfWork.get().root();
        return uow.getOrComputeResource(PENDING, k -> {
            List<Row> list = new ArrayList<>();
            uow.onPrepareCommit(u -> insert(list));
            uow.afterCommit(u -> {
                Instant now = clock.instant();
                list.forEach(r -> lag.record(Duration.between(r.record().occurredAt(), now)));
            });
            return list;
        });
    }

    private void flushIfOutsideUnitOfWork(List<Row> rows) {
        if (!CurrentUnitOfWork.isStarted()) {
            insert(rows);
        }
    }

    private void insert(List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        // a plain VALUES insert, so the driver can send a batch as multi-row statements (reWriteBatchedInserts);
        // ON CONFLICT DO NOTHING (the primary key is the only unique index) keeps a redelivered call at one row
        jdbc.batchUpdate("INSERT INTO usage_logs (id, tenant_id, user_id, api_key_id, endpoint, method, status, "
                + "duration_ms, bytes, units, occurred_at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", rows, 500, (ps, row) -> {
                    UsageRecord e = row.record();
                    ps.setString(1, e.usageId());
                    ps.setString(2, row.tenantId());
                    ps.setString(3, e.userId());
                    ps.setString(4, e.apiKeyId());
                    ps.setString(5, e.endpoint().length() > 200 ? e.endpoint().substring(0, 200) : e.endpoint());
                    ps.setString(6, e.method());
                    ps.setInt(7, e.status());
                    ps.setLong(8, e.durationMs());
                    ps.setLong(9, e.bytes());
                    ps.setLong(10, e.units());
                    ps.setTimestamp(11, Timestamp.from(e.occurredAt()));
                    ps.setString(12, e.requestId());
                });
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM usage_logs");
    }
}
