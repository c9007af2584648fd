import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * The raw sequential read rate of the event table (bench/rebuild/rebuild-1m.sh): streams a query through a
 * server-side cursor (autocommit off, fetch size set) with the PostgreSQL JDBC driver the application ships, touches
 * every column value (bytea as byte[], as Axon's JDBC engine reads them) and nothing else: no deserialization, no
 * handlers. Prints one line: RAW mode=<mode> rows=<n> bytes=<payload+metadata bytes> seconds=<s> rate=<rows/s>.
 *
 * Usage: java -cp postgresql.jar RawRead.java <jdbc url> <user> <fetch size> <mode>
 *   mode "payload": SELECT global_index, payload, meta_data FROM domain_event_entry ORDER BY global_index
 *   mode "row":     every column the Axon engine selects for a tracked event, same order
 */
public class RawRead {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        int fetch = Integer.parseInt(args[2]);
        String mode = args.length > 3 ? args[3] : "payload";
        String sql = switch (mode) {
            case "payload" -> "SELECT global_index, payload, meta_data FROM domain_event_entry ORDER BY global_index";
            case "row" -> "SELECT global_index, time_stamp, event_identifier, aggregate_identifier, sequence_number, type, "
                    + "payload_type, payload_revision, payload, meta_data FROM domain_event_entry ORDER BY global_index";
            default -> throw new IllegalArgumentException("mode: payload or row");
        };
        long rows = 0;
        long bytes = 0;
        long check = 0;
        long start;
        long end;
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            c.setAutoCommit(false);   // a cursor: the driver fetches `fetch` rows per round trip
            start = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(fetch);
                try (ResultSet rs = ps.executeQuery()) {
                    boolean row = mode.equals("row");
                    while (rs.next()) {
                        check += rs.getLong(1);
                        if (row) {
                            check += rs.getString(2).length() + rs.getString(3).length() + rs.getString(4).length()
                                    + rs.getLong(5) + rs.getString(7).length();
                            String type = rs.getString(6);
                            String revision = rs.getString(8);
                            check += (type == null ? 0 : type.length()) + (revision == null ? 0 : revision.length());
                            bytes += rs.getBytes(9).length;
                            byte[] meta = rs.getBytes(10);
                            bytes += meta == null ? 0 : meta.length;
                        } else {
                            bytes += rs.getBytes(2).length;
                            byte[] meta = rs.getBytes(3);
                            bytes += meta == null ? 0 : meta.length;
                        }
                        rows++;
                    }
                }
            }
            end = System.nanoTime();
            c.commit();
        }
        double seconds = (end - start) / 1e9;
        System.out.printf("RAW mode=%s rows=%d bytes=%d seconds=%.3f rate=%.0f check=%d%n", mode, rows, bytes, seconds,
                rows / seconds, check);
    }
}
