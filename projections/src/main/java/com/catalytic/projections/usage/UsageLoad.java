package com.catalytic.projections.usage;

import com.catalytic.api.usage.UsageEvents.UsageRecordedBatchEvent;
import com.catalytic.api.usage.UsageEvents.UsageRecordedEvent;
import com.catalytic.projections.StoreLoad;
import com.catalytic.projections.StoredPayloads;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * How a rebuild fills {@code usage_logs} and {@code usage_rollups}: every call of the stored usage events of both
 * forms, read as the handlers read them and copied into the table in bulk, the sums made from the rows at the end
 * (about 95 % of a real store's events are usage batches).
 */
public final class UsageLoad implements StoreLoad {

    @Override
    public Set<Class<?>> payloadTypes() {
        return Set.of(UsageRecordedBatchEvent.class, UsageRecordedEvent.class);
    }

    @Override
    public void prepare(Connection connection) throws SQLException {
        UsageTables.prepareLoad(connection);
    }

    @Override
    public long insert(Connection connection, StoredPayloads stored, long after, long upTo, String asOf)
            throws SQLException {
        return UsageTables.insertFromStore(connection, stored, after, upTo, asOf);
    }

    @Override
    public long finish(Connection connection) throws SQLException {
        return UsageTables.finishLoad(connection);
    }
}
