package com.catalytic.projections.usage;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * Reads a stored {@code UsageRecordedBatchEvent} straight from its JSON bytes into {@code usage_logs} rows, for a
 * rebuild's load: a call's text values are copied as the bytes they are stored as, without making strings. Only the
 * plain form the event serializer writes is taken (strings without escapes, whole numbers, instants as
 * {@code Instant.toString} prints them, each field once, an endpoint that needs no truncation); for anything else
 * {@link #scan} says no and the caller reads the payload through the serializer's mapper, so the rows are always
 * those the handler writes. One per thread: it keeps its arrays from one payload to the next.
 */
final class BatchScan {

    /** The text fields of a record, in their order in {@link #text}. */
    private static final byte[][] TEXT_FIELDS = names("usageId", "userId", "apiKeyId", "endpoint", "method",
            "requestId");
    private static final int USAGE_ID = 0;
    private static final int USER_ID = 1;
    private static final int API_KEY_ID = 2;
    private static final int ENDPOINT = 3;
    private static final int METHOD = 4;
    private static final int REQUEST_ID = 5;
    private static final int TEXTS = 6;

    /** The number fields of a record, in their order in {@link #numbers}. */
    private static final byte[][] NUMBER_FIELDS = names("status", "durationMs", "bytes", "units", "occurredAt");
    private static final int STATUS = 0;
    private static final int DURATION = 1;
    private static final int BYTES = 2;
    private static final int UNITS = 3;
    private static final int OCCURRED_AT = 4;
    private static final int NUMBERS = 5;

    private static final byte[] TENANT_ID = "tenantId".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORDS = "records".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    /** What {@link #scan} found is not the plain form. */
    private static final class NotPlain extends Exception {
        NotPlain() {
            super(null, null, false, false);
        }
    }

    private static final NotPlain NOT_PLAIN = new NotPlain();

    private byte[] json;
    private int at;
    private int tenantStart;
    private int tenantLength;
    private int records;
    /** Per record and text field: start and length in the JSON (length -1: null). */
    private int[] text = new int[2 * TEXTS * 16];
    /** Per record and number field (the instant in PostgreSQL's microseconds; {@link Long#MIN_VALUE}: null). */
    private long[] numbers = new long[NUMBERS * 16];

    /** Reads one stored batch; false if it is not in the plain form (then nothing of it is kept). */
    boolean scan(byte[] payload) {
        json = payload;
        at = 0;
        tenantStart = -1;
        tenantLength = -1;
        records = -1;
        try {
            expect('{');
            boolean tenantSeen = false;
            if (!next('}')) {
                do {
                    int nameStart = stringStart();
                    int nameEnd = stringEnd(nameStart);
                    expect(':');
                    if (same(nameStart, nameEnd, TENANT_ID)) {
                        if (tenantSeen) {
                            throw NOT_PLAIN;
                        }
                        tenantSeen = true;
                        if (!nullValue()) {
                            tenantStart = stringStart();
                            tenantLength = stringEnd(tenantStart) - tenantStart;
                        }
                    } else if (same(nameStart, nameEnd, RECORDS)) {
                        if (records >= 0) {
                            throw NOT_PLAIN;
                        }
                        records();
                    } else {
                        skipValue(0);
                    }
                } while (next(','));
                expect('}');
            }
            space();
            return at == json.length && records >= 0;
        } catch (NotPlain | ArrayIndexOutOfBoundsException e) {
            // past the end: a truncated document
            return false;
        }
    }

    /** Writes the calls read as usage_logs rows, in the columns {@code UsageTables} copies. */
    void copyTo(BinaryCopy out) throws SQLException {
        for (int r = 0; r < records; r++) {
            int t = 2 * TEXTS * r;
            int n = NUMBERS * r;
            out.row(12);
            text(out, t, USAGE_ID);
            out.raw(json, tenantStart, tenantLength);
            text(out, t, USER_ID);
            text(out, t, API_KEY_ID);
            text(out, t, ENDPOINT);
            text(out, t, METHOD);
            out.int4((int) numbers[n + STATUS]);
            out.int8(numbers[n + DURATION]);
            out.int8(numbers[n + BYTES]);
            out.int8(numbers[n + UNITS]);
            if (numbers[n + OCCURRED_AT] == Long.MIN_VALUE) {
                out.nul();
            } else {
                out.int8(numbers[n + OCCURRED_AT]);
            }
            text(out, t, REQUEST_ID);
        }
    }

    private void text(BinaryCopy out, int record, int field) throws SQLException {
        out.raw(json, text[record + 2 * field], text[record + 2 * field + 1]);
    }

    private void records() throws NotPlain {
        expect('[');
        records = 0;
        if (next(']')) {
            return;
        }
        do {
            record(records++);
        } while (next(','));
        expect(']');
    }

    private void record(int r) throws NotPlain {
        if (text.length < 2 * TEXTS * (r + 1)) {
            text = Arrays.copyOf(text, text.length * 2);
            numbers = Arrays.copyOf(numbers, numbers.length * 2);
        }
        int t = 2 * TEXTS * r;
        int n = NUMBERS * r;
        for (int f = 0; f < TEXTS; f++) {
            text[t + 2 * f] = 0;
            text[t + 2 * f + 1] = -1;
        }
        Arrays.fill(numbers, n, n + NUMBERS, 0);
        numbers[n + OCCURRED_AT] = Long.MIN_VALUE;
        int seen = 0;
        expect('{');
        if (next('}')) {
            return;
        }
        do {
            int nameStart = stringStart();
            int nameEnd = stringEnd(nameStart);
            expect(':');
            int field = field(nameStart, nameEnd, TEXT_FIELDS);
            if (field >= 0) {
                seen = once(seen, field);
                if (!nullValue()) {
                    int start = stringStart();
                    int length = stringEnd(start) - start;
                    // the handler cuts an endpoint to MAX_ENDPOINT characters: a longer one is read the slow way
                    if (field == ENDPOINT && length > UsageTables.MAX_ENDPOINT) {
                        throw NOT_PLAIN;
                    }
                    text[t + 2 * field] = start;
                    text[t + 2 * field + 1] = length;
                }
                continue;
            }
            field = field(nameStart, nameEnd, NUMBER_FIELDS);
            if (field >= 0) {
                seen = once(seen, TEXTS + field);
                if (!nullValue()) {
                    numbers[n + field] = field == OCCURRED_AT ? instant() : whole(field == STATUS);
                }
                continue;
            }
            skipValue(0);
        } while (next(','));
        expect('}');
    }

    /** Marks field {@code bit} seen; a field given twice is not the plain form. */
    private static int once(int seen, int bit) throws NotPlain {
        if ((seen & (1 << bit)) != 0) {
            throw NOT_PLAIN;
        }
        return seen | 1 << bit;
    }

    /** A whole number (an int if {@code small}); anything else is not the plain form. */
    private long whole(boolean small) throws NotPlain {
        space();
        boolean negative = json[at] == '-';
        if (negative) {
            at++;
        }
        int start = at;
        long v = 0;
        while (at < json.length && json[at] >= '0' && json[at] <= '9') {
            v = v * 10 + (json[at++] - '0');
        }
        int digits = at - start;
        if (digits == 0 || digits > 18 || digits > 1 && json[start] == '0'
                || at < json.length && (json[at] == '.' || json[at] == 'e' || json[at] == 'E')) {
            throw NOT_PLAIN;
        }
        v = negative ? -v : v;
        if (small && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
            throw NOT_PLAIN;
        }
        return v;
    }

    /**
     * An instant as {@code Instant.toString} writes it ({@code 2026-09-22T20:00:05.258837Z}: four-digit year, up to
     * nine digits of fraction), in PostgreSQL's microseconds ({@link BinaryCopy#micros}).
     */
    private long instant() throws NotPlain {
        int s = stringStart();
        int e = stringEnd(s);
        int n = e - s;
        if (n < 20 || n > 30 || json[s + 4] != '-' || json[s + 7] != '-' || json[s + 10] != 'T'
                || json[s + 13] != ':' || json[s + 16] != ':' || json[e - 1] != 'Z') {
            throw NOT_PLAIN;
        }
        int hour = digits(s + 11, s + 13);
        int minute = digits(s + 14, s + 16);
        int second = digits(s + 17, s + 19);
        int nanos = 0;
        if (n > 20) {
            if (json[s + 19] != '.' || n == 21) {
                throw NOT_PLAIN;
            }
            nanos = digits(s + 20, e - 1);
            for (int i = n - 21; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (hour > 23 || minute > 59 || second > 59) {
            throw NOT_PLAIN;
        }
        long days;
        try {
            days = LocalDate.of(digits(s, s + 4), digits(s + 5, s + 7), digits(s + 8, s + 10)).toEpochDay();
        } catch (DateTimeException ex) {
            throw NOT_PLAIN;
        }
        return BinaryCopy.micros(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal digits in {@code json[from, to)}; anything else is not the plain form. */
    private int digits(int from, int to) throws NotPlain {
        int v = 0;
        for (int i = from; i < to; i++) {
            byte c = json[i];
            if (c < '0' || c > '9') {
                throw NOT_PLAIN;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The start of the string value here (after its quote). */
    private int stringStart() throws NotPlain {
        expect('"');
        return at;
    }

    /** The end of the string started at {@code start} (its closing quote, passed); an escape is not plain. */
    private int stringEnd(int start) throws NotPlain {
        int i = start;
        while (true) {
            byte c = json[i];
            if (c == '"') {
                at = i + 1;
                return i;
            }
            if (c == '\\' || c >= 0 && c < 0x20) {
                throw NOT_PLAIN;
            }
            i++;
        }
    }

    /** Skips any JSON value (a field no column takes, as the mapper ignores unknown properties). */
    private void skipValue(int depth) throws NotPlain {
        if (depth > 32) {
            throw NOT_PLAIN;
        }
        space();
        byte c = json[at];
        if (c == '"') {
            at++;
            // escapes allowed here: only the end of the string matters
            while (json[at] != '"') {
                at += json[at] == '\\' ? 2 : 1;
            }
            at++;
        } else if (c == '{' || c == '[') {
            byte close = c == '{' ? (byte) '}' : (byte) ']';
            at++;
            if (next((char) close)) {
                return;
            }
            do {
                if (c == '{') {
                    stringEnd(stringStart());
                    expect(':');
                }
                skipValue(depth + 1);
            } while (next(','));
            expect((char) close);
        } else if (c == '-' || c >= '0' && c <= '9') {
            while (at < json.length && (json[at] >= '0' && json[at] <= '9' || json[at] == '-' || json[at] == '+'
                    || json[at] == '.' || json[at] == 'e' || json[at] == 'E')) {
                at++;
            }
        } else if (!literal(TRUE) && !literal(FALSE) && !literal(NULL)) {
            throw NOT_PLAIN;
        }
    }

    /** Passes {@code word} if it is here. */
    private boolean literal(byte[] word) {
        if (Arrays.equals(json, at, Math.min(json.length, at + word.length), word, 0, word.length)) {
            at += word.length;
            return true;
        }
        return false;
    }

    /** Whether a JSON null is here (then passed). */
    private boolean nullValue() {
        space();
        return literal(NULL);
    }

    /** Passes {@code c} if it is next (after white space). */
    private boolean next(char c) {
        space();
        if (at < json.length && json[at] == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws NotPlain {
        if (!next(c)) {
            throw NOT_PLAIN;
        }
    }

    private void space() {
        while (at < json.length && (json[at] == ' ' || json[at] == '\n' || json[at] == '\r' || json[at] == '\t')) {
            at++;
        }
    }

    private boolean same(int start, int end, byte[] name) {
        if (end - start != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (json[start + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    private int field(int start, int end, byte[][] names) {
        for (int i = 0; i < names.length; i++) {
            if (same(start, end, names[i])) {
                return i;
            }
        }
        return -1;
    }

    private static byte[][] names(String... names) {
        byte[][] bytes = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            bytes[i] = names[i].getBytes(StandardCharsets.US_ASCII);
        }
        return bytes;
    }
}
