package db.migration.eventstore;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * A BRIN index of the events' time stamps on PostgreSQL, so a point-in-time rebuild finds the last event of its
 * instant without reading the whole store. Events are appended in about the order of their time stamps, which is
 * what BRIN needs; it stays a few pages for millions of events and costs an append almost nothing. Axon writes the
 * time stamps fixed-width (yyyy-MM-ddTHH:mm:ss.SSSZ), so their byte order ("C" collation) is their time order. Not
 * built concurrently: Flyway's own open transaction would make that wait forever. The embedded H2 has no BRIN and
 * no rebuild: nothing to do there.
 */
public class V24__Event_time_index extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        if (!context.getConnection().getMetaData().getDatabaseProductName().equals("PostgreSQL")) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            // kept if an operator built it beforehand, concurrently (docs/OPERATIONS.md, upgrading to V24)
            s.execute("CREATE INDEX IF NOT EXISTS ix_domain_event_time ON domain_event_entry USING brin "
                    + "(time_stamp COLLATE \"C\") WITH (autosummarize = on)");
        }
    }
}
