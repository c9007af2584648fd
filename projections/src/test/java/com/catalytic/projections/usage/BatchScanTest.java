package com.catalytic.projections.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Which stored batches the load reads itself and which it leaves to the serializer's mapper: a scan that said yes to
 * anything the mapper reads differently would load rows the handler never writes (UsageLoadTest compares the rows).
 */
class BatchScanTest {

    private static final String RECORD = "{\"usageId\":\"u1\",\"userId\":\"user-1\",\"apiKeyId\":null,"
            + "\"endpoint\":\"/api/me\",\"method\":\"GET\",\"status\":200,\"durationMs\":3,\"bytes\":120,\"units\":1,"
            + "\"occurredAt\":\"2026-11-30T23:30:00.123456Z\",\"requestId\":\"r1\",\"ip\":\"203.0.113.7\"}";

    private static boolean scans(String json) {
        return new BatchScan().scan(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String batch(String record) {
        return "{\"tenantId\":\"tenant-1\",\"records\":[" + record + "]}";
    }

    @Test
    void theSerializersPlainFormIsScanned() {
        assertThat(scans(batch(RECORD))).isTrue();
        assertThat(scans(batch(RECORD + "," + RECORD.replace("u1", "u2")))).isTrue();
        assertThat(scans("{\"tenantId\":\"tenant-1\",\"records\":[]}")).isTrue();
        // white space, another order, fields it does not know (an escape inside one of them), a field left out,
        // non-ASCII text as its UTF-8 bytes, every fraction length
        assertThat(scans(" {\n \"records\" : [ {\"ip\":\"a\\\"b\", "
                + "\"extra\":{\"a\":[1,-2.5e3,{\"b\":\"x\"}],\"c\":true}, \"usageId\":\"u1\",\"endpoint\":\"/api/café\","
                + "\"occurredAt\":\"2026-11-30T23:30:00Z\"} ],"
                + " \"tenantId\" : \"tenant-1\" } ")).isTrue();
        for (String fraction : new String[] {".1", ".123", ".123456", ".123456789"}) {
            assertThat(scans(batch(RECORD.replace(".123456Z", fraction + "Z")))).as(fraction).isTrue();
        }
        assertThat(scans(batch(RECORD.replace("\"/api/me\"", "\"/" + "a".repeat(199) + "\"")))).isTrue();
    }

    @Test
    void anythingElseIsLeftToTheMapper() {
        // text with an escape, a number as a string, a fraction where a whole number goes, an int beyond int
        assertThat(scans(batch(RECORD.replace("/api/me", "/api/m\\u00e9")))).isFalse();
        assertThat(scans(batch(RECORD.replace("\"status\":200", "\"status\":\"200\"")))).isFalse();
        assertThat(scans(batch(RECORD.replace("\"bytes\":120", "\"bytes\":120.5")))).isFalse();
        assertThat(scans(batch(RECORD.replace("\"status\":200", "\"status\":3000000000")))).isFalse();
        // a field given twice (in a record and in the batch)
        assertThat(scans(batch(RECORD.replace("\"units\":1", "\"units\":1,\"units\":2")))).isFalse();
        assertThat(scans("{\"tenantId\":\"a\",\"tenantId\":\"b\",\"records\":[]}")).isFalse();
        // instants in another style, or not an instant
        assertThat(scans(batch(RECORD.replace("2026-11-30T23:30:00.123456Z", "2026-11-30T23:30:00+01:00"))))
                .isFalse();
        assertThat(scans(batch(RECORD.replace("\"2026-11-30T23:30:00.123456Z\"", "1764545400.5")))).isFalse();
        assertThat(scans(batch(RECORD.replace("2026-11-30", "2026-02-30")))).isFalse();
        assertThat(scans(batch(RECORD.replace("23:30:00", "24:30:00")))).isFalse();
        // an endpoint the handler cuts, a tenant that is not text, no records, records that are not a list
        assertThat(scans(batch(RECORD.replace("\"/api/me\"", "\"/" + "a".repeat(200) + "\"")))).isFalse();
        assertThat(scans("{\"tenantId\":7,\"records\":[]}")).isFalse();
        assertThat(scans("{\"tenantId\":\"tenant-1\"}")).isFalse();
        assertThat(scans("{\"tenantId\":\"tenant-1\",\"records\":null}")).isFalse();
        // not a whole document
        assertThat(scans(batch(RECORD).substring(0, 60))).isFalse();
        assertThat(scans(batch(RECORD) + "x")).isFalse();
    }

    @Test
    void timeStampsRoundAsTheServerRoundsText() {
        // PostgreSQL: rint(strtod(fraction) * 1,000,000) - here .5207985 is a hair above the tie in binary
        assertThat(BinaryCopy.micros(Instant.parse("2026-09-17T22:34:30.520798500Z").getEpochSecond(), 520_798_500))
                .isEqualTo(micros("2026-09-17T22:34:30.520799Z"));
        assertThat(BinaryCopy.micros(Instant.parse("2026-09-17T22:34:30Z").getEpochSecond(), 999_999_600))
                .isEqualTo(micros("2026-09-17T22:34:31Z"));
        assertThat(BinaryCopy.micros(Instant.parse("1999-12-31T23:59:59Z").getEpochSecond(), 1_000))
                .isEqualTo(-999_999);
    }

    private static long micros(String instant) {
        Instant i = Instant.parse(instant);
        return BinaryCopy.micros(i.getEpochSecond(), i.getNano());
    }
}
