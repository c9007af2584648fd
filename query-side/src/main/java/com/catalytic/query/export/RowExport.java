package com.catalytic.query.export;

import com.catalytic.api.error.DomainException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;

/**
 * A streamed export of rows, as NDJSON (one JSON object a line) or CSV (a header, then one line a row; cells that
 * a spreadsheet would run as a formula are quoted): the audit trail's, the usage logs'.
 */
public final class RowExport implements AutoCloseable {

    private final Writer out;
    private final boolean csv;
    private final ObjectMapper json;

    private RowExport(Writer out, boolean csv, ObjectMapper json) {
        this.out = out;
        this.csv = csv;
        this.json = json;
    }

    /**
     * Starts the answer: content type, a download named {@code name}.ndjson or .csv, the CSV header. 422
     * {@code invalid_format} for a format other than ndjson and csv, before anything is written.
     */
    public static RowExport start(HttpServletResponse response, String format, String name, List<String> columns,
                                  ObjectMapper json) {
        boolean csv = switch (format) {
            case "csv" -> true;
            case "ndjson" -> false;
            default -> throw DomainException.validation("format", "invalid_format", "format must be ndjson or csv");
        };
        response.setContentType(csv ? "text/csv;charset=UTF-8" : "application/x-ndjson");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "."
                + (csv ? "csv" : "ndjson") + "\"");
        try {
            RowExport export = new RowExport(new BufferedWriter(new OutputStreamWriter(response.getOutputStream(),
                    StandardCharsets.UTF_8)), csv, json);
            if (csv) {
                export.out.write(String.join(",", columns));
                export.out.write("\r\n");
            }
            return export;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One row; its values in the order of the columns. */
    public void write(Map<String, Object> row) {
        try {
            if (csv) {
                List<String> cells = new ArrayList<>();
                row.values().forEach(v -> cells.add(csvCell(v)));
                out.write(String.join(",", cells));
                out.write("\r\n");
            } else {
                out.write(json.writeValueAsString(row));
                out.write("\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String csvCell(Object v) {
        if (v == null) {
            return "";
        }
        String s = v.toString();
        // a leading = + - @ would be a formula in a spreadsheet
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") || s.startsWith("'")
                ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
