package com.catalytic.bench;

import com.github.kagkarlsson.scheduler.PollingStrategyConfig;
import com.github.kagkarlsson.scheduler.PollingStrategyConfig.Type;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * db-scheduler with a one-time task per delivery whose instance id is the delivery's id: the delivery row is stored
 * and the execution scheduled in one transaction, the task's work records the outcome on the row. Set up as its Spring
 * Boot starter sets it up (a transaction-aware data source, so that scheduling joins the caller's transaction).
 */
final class DbSchedulerContender implements QueueContender {

    private static final String TASK = "webhook-delivery";

    private static final int BATCH = 1_000;

    private final String name;
    private final PollingStrategyConfig polling;
    private final int threads;
    private final Duration interval;

    /** @param polling lock-and-fetch (recommended for PostgreSQL) or fetch-and-lock-on-execute, with its limits */
    DbSchedulerContender(String name, PollingStrategyConfig polling, int threads, Duration interval) {
        this.name = name;
        this.polling = polling;
        this.threads = threads;
        this.interval = interval;
    }

    @Override
    public String name() {
        return name;
    }

    /** The delivery table and db-scheduler's own, as in its postgresql_tables.sql (16.7.1). */
    @Override
    public void createTables(JdbcTemplate jdbc) {
        Deliveries.create(jdbc);
        jdbc.execute("DROP TABLE IF EXISTS scheduled_tasks");
        jdbc.execute("CREATE TABLE scheduled_tasks (task_name TEXT NOT NULL, task_instance TEXT NOT NULL, "
                + "task_data BYTEA, execution_time TIMESTAMP WITH TIME ZONE NOT NULL, picked BOOLEAN NOT NULL, "
                + "picked_by TEXT, last_success TIMESTAMP WITH TIME ZONE, last_failure TIMESTAMP WITH TIME ZONE, "
                + "consecutive_failures INT, last_heartbeat TIMESTAMP WITH TIME ZONE, version BIGINT NOT NULL, "
                + "priority SMALLINT, PRIMARY KEY (task_name, task_instance))");
        jdbc.execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
        jdbc.execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
        jdbc.execute("CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC)");
    }

    @Override
    public void backlog(DataSource dataSource, int count) {
        Instant now = Instant.now();
        Deliveries.insertAll(new JdbcTemplate(dataSource), count, now);
        SchedulerClient client = SchedulerClient.Builder.create(dataSource).build();
        for (int from = 0; from < count; from += BATCH) {
            List<TaskInstance<?>> instances = new ArrayList<>();
            for (int n = from; n < Math.min(count, from + BATCH); n++) {
                instances.add(new TaskInstance<Void>(TASK, Deliveries.id(n)));
            }
            client.scheduleBatch(instances, now);
        }
    }

    @Override
    public Running start(DataSource dataSource, Consumer<String> work) {
        OneTimeTask<Void> task = Tasks.oneTime(TASK).execute((instance, context) -> work.accept(instance.getId()));
        SchedulerBuilder builder = Scheduler.create(new TransactionAwareDataSourceProxy(dataSource), task)
                .schedulerName(new SchedulerName.Fixed("bench"))
                .threads(threads)
                .pollingInterval(interval)
                .enableImmediateExecution();
        if (polling.type == Type.LOCK_AND_FETCH) {
            builder.pollUsingLockAndFetch(polling.lowerLimitFractionOfThreads, polling.upperLimitFractionOfThreads);
        } else {
            builder.pollUsingFetchAndLockOnExecute(polling.lowerLimitFractionOfThreads,
                    polling.upperLimitFractionOfThreads);
        }
        Scheduler scheduler = builder.build();
        scheduler.start();
        return new Started(new JdbcTemplate(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), scheduler, task);
    }

    @Override
    public long leftOver(JdbcTemplate jdbc) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM scheduled_tasks", Long.class);
        return n == null ? 0 : n;
    }

    private record Started(JdbcTemplate jdbc, TransactionTemplate transaction, Scheduler scheduler,
                           OneTimeTask<Void> task) implements Running {

        @Override
        public void offer(int n) {
            Instant now = Instant.now();
            transaction.executeWithoutResult(status -> {
                Deliveries.insert(jdbc, n, now);
                scheduler.scheduleIfNotExists(task.instance(Deliveries.id(n)), now);
            });
            // immediate execution looks as soon as the instance is scheduled, before the commit; look again after
            // it, as DurableQueue's wake() does
            scheduler.triggerCheckForDueExecutions();
        }

        @Override
        public void close() {
            scheduler.stop();
        }
    }
}
