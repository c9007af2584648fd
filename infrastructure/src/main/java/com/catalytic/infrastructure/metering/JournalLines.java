package com.catalytic.infrastructure.metering;

import com.catalytic.api.usage.UsageEvents.UsageRecord;
import com.catalytic.infrastructure.metering.UsageJournal.Logged;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Writes the usage journal's lines, {@code <crc32 hex> <json>\n}, field by field into one reused buffer: the same
 * JSON the journal's mapper would write (and reads back), without a general serializer's cost on every metered call.
 * Not thread-safe: one per journal.
 */
final class JournalLines {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf = new byte[64 * 1024];
    private int size;
    private final CRC32 crc = new CRC32();

    void reset() {
        size = 0;
    }

    int size() {
        return size;
    }

    byte[] array() {
        return buf;
    }

    /** Appends one line: its checksum, a space, its JSON and a newline. */
    void add(Logged e) {
        int lineStart = size;
        ensure(9);
        size += 9; // the checksum and the space, filled in below
        int jsonStart = size;
        ascii("{\"tenantId\":");
        string(e.tenantId());
        ascii(",\"quotaLimit\":");
        number(e.quotaLimit());
        UsageRecord r = e.record();
        if (r == null) {
            ascii(",\"record\":null}");
        } else {
            ascii(",\"record\":{\"usageId\":");
            string(r.usageId());
            ascii(",\"userId\":");
            string(r.userId());
            ascii(",\"apiKeyId\":");
            string(r.apiKeyId());
            ascii(",\"endpoint\":");
            string(r.endpoint());
            ascii(",\"method\":");
            string(r.method());
            ascii(",\"status\":");
            number(r.status());
            ascii(",\"durationMs\":");
            number(r.durationMs());
            ascii(",\"bytes\":");
            number(r.bytes());
            ascii(",\"units\":");
            number(r.units());
            ascii(",\"occurredAt\":");
            instant(r.occurredAt());
            ascii(",\"requestId\":");
            string(r.requestId());
            ascii(",\"ip\":");
            string(r.ip());
            ascii("}}");
        }
        crc.reset();
        crc.update(buf, jsonStart, size - jsonStart);
        long value = crc.getValue();
        for (int i = 7; i >= 0; i--) {
            buf[lineStart + i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
        buf[lineStart + 8] = ' ';
        ensure(1);
        buf[size++] = '\n';
    }

    /** Decimal epoch seconds with nine digits of nanoseconds, as the mapper writes and reads an instant. */
    private void instant(Instant t) {
        if (t == null) {
            ascii("null");
            return;
        }
        long seconds = t.getEpochSecond();
        int nanos = t.getNano();
        if (seconds < 0) { // never a call's time; written the way the reader expects all the same
            ascii(new BigDecimal(seconds).add(BigDecimal.valueOf(nanos, 9)).toPlainString());
            return;
        }
        number(seconds);
        ensure(10);
        buf[size++] = '.';
        for (int i = 8; i >= 0; i--) {
            buf[size + i] = (byte) ('0' + nanos % 10);
            nanos /= 10;
        }
        size += 9;
    }

    private void number(long n) {
        ascii(Long.toString(n));
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[size++] = (byte) s.charAt(i);
        }
    }

    private void string(String s) {
        if (s == null) {
            ascii("null");
            return;
        }
        int n = s.length();
        ensure(n + 2);
        buf[size++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
                escaped(s, i); // the rare case: the rest of the string the slow way
                return;
            }
            buf[size++] = (byte) c;
        }
        buf[size++] = '"';
    }

    /** From {@code from} on: JSON escapes for quotes, backslashes and control characters, UTF-8 for the rest. */
    private void escaped(String s, int from) {
        StringBuilder out = new StringBuilder(s.length() - from + 16);
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
