package com.catalytic.bench;

import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** One of the queue mechanisms compared by {@link QueueComparison}. */
interface QueueContender {

    String name();

    /** Drops and creates the tables its deliveries need. */
    void createTables(JdbcTemplate jdbc);

    /** Stores deliveries 0 to {@code count - 1}, due now, as the product would, without working on them. */
    void backlog(DataSource dataSource, int count);

    /** Starts working on due deliveries, each handed to {@code work} by its id. */
    Running start(DataSource dataSource, Consumer<String> work);

    /** Rows of its own queue still there (claimed, or not yet executed) once every delivery is done. */
    long leftOver(JdbcTemplate jdbc);

    /** A started queue. */
    interface Running extends AutoCloseable {

        /** Stores delivery {@code n}, due now, as the product does (then wakes the queue of this node). */
        void offer(int n);

        /** Stops taking work; returns when the work under way is done. */
        @Override
        void close();
    }
}
