package com.catalytic.projections.usage;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import org.postgresql.copy.CopyIn;

/**
 * Rows for PostgreSQL's {@code COPY … FROM STDIN (FORMAT binary)}, written to the copy as they are made: each value
 * in the server's own binary form, so the server parses no text (a time stamp is a count of microseconds).
 */
final class BinaryCopy {

    /** The signature, flags and header extension length that start a binary copy. */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
            0, 0, 0, 0, 0, 0, 0, 0};

    /** PostgreSQL's time stamps count from 2000-01-01T00:00:00Z, in Unix seconds. */
    private static final long POSTGRES_EPOCH = 946_684_800L;

    private final CopyIn copy;
    private byte[] buffer = new byte[1 << 16];
    private int length;

    BinaryCopy(CopyIn copy) {
        this.copy = copy;
        System.arraycopy(HEADER, 0, buffer, 0, HEADER.length);
        length = HEADER.length;
    }

    /** Starts a row of this many values. */
    void row(int values) throws SQLException {
        room(2);
        putShort(values);
    }

    /** A text value (varchar, text); null is SQL NULL. */
    void text(String value) throws SQLException {
        if (value == null) {
            nul();
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        raw(bytes, 0, bytes.length);
    }

    /** SQL NULL. */
    void nul() throws SQLException {
        room(4);
        putInt(-1);
    }

    void int4(int value) throws SQLException {
        room(8);
        putInt(4);
        putInt(value);
    }

    void int8(long value) throws SQLException {
        room(12);
        putInt(8);
        putLong(value);
    }

    /** A {@code timestamptz}; null is SQL NULL. */
    void timestamp(Instant value) throws SQLException {
        if (value == null) {
            nul();
            return;
        }
        int8(micros(value.getEpochSecond(), value.getNano()));
    }

    /**
     * Bytes already in the server's encoding, {@code count} of them from {@code start} ({@code count} -1: SQL
     * NULL): a text value copied as it is stored.
     */
    void raw(byte[] source, int start, int count) throws SQLException {
        if (count < 0) {
            nul();
            return;
        }
        room(4 + count);
        putInt(count);
        System.arraycopy(source, start, buffer, length, count);
        length += count;
    }

    /**
     * An instant as a {@code timestamptz} value: microseconds since PostgreSQL's epoch. A finer instant is rounded as
     * the server rounds the fraction of a text time stamp (the fraction as a double, times a million, to the nearest
     * even): the same call written live, as text, gets the same value to the microsecond.
     */
    static long micros(long epochSecond, int nanos) {
        return (epochSecond - POSTGRES_EPOCH) * 1_000_000L + fractionMicros(nanos);
    }

    /** The instant as the server stores it: to the microsecond, rounded as {@link #micros} rounds it. */
    static Instant stored(Instant value) {
        return Instant.ofEpochSecond(value.getEpochSecond(), fractionMicros(value.getNano()) * 1_000L);
    }

    private static long fractionMicros(int nanos) {
        return (long) Math.rint(nanos / 1e9 * 1e6);
    }

    /** Ends the copy's data: the trailer, and what is still buffered sent. */
    void end() throws SQLException {
        room(2);
        putShort(-1);
        flush();
    }

    /** Makes room for {@code n} more bytes, sending what is buffered if need be. */
    private void room(int n) throws SQLException {
        if (length + n <= buffer.length) {
            return;
        }
        flush();
        if (n > buffer.length) {
            buffer = new byte[Math.max(n, buffer.length * 2)];
        }
    }

    private void flush() throws SQLException {
        if (length > 0) {
            copy.writeToCopy(buffer, 0, length);
            length = 0;
        }
    }

    private void putShort(int v) {
        buffer[length++] = (byte) (v >>> 8);
        buffer[length++] = (byte) v;
    }

    private void putInt(int v) {
        buffer[length++] = (byte) (v >>> 24);
        buffer[length++] = (byte) (v >>> 16);
        buffer[length++] = (byte) (v >>> 8);
        buffer[length++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }
}
