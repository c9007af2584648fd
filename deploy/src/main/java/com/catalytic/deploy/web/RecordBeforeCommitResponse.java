package com.catalytic.deploy.web;

import com.catalytic.infrastructure.metering.UsageShipper.UsageNotRecorded;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;

/**
 * A response that goes to the client as it is written (an answer too large to hold, such as an export), whose call
 * is recorded before anything can be sent: at the first byte, flush or error, or by {@link #recordOnce()} when the
 * handler wrote nothing. If recording fails, that first write throws {@link UsageNotRecorded}, nothing has been
 * sent, and whatever the handler writes afterwards is discarded, so that the filter can answer 503 instead.
 */
final class RecordBeforeCommitResponse extends HttpServletResponseWrapper {

    private final Runnable record;
    private boolean recorded;
    private UsageNotRecorded failure;
    private ServletOutputStream out;
    private PrintWriter writer;

    /** @param record records the call (reading the status set so far); throws {@link UsageNotRecorded} on failure */
    RecordBeforeCommitResponse(HttpServletResponse response, Runnable record) {
        super(response);
        this.record = record;
    }

    /** Records the call unless that is done; false once recording has failed (the failure is thrown only once). */
    boolean recordOnce() {
        if (recorded) {
            return true;
        }
        if (failure != null) {
            return false;
        }
        try {
            record.run();
            recorded = true;
            return true;
        } catch (UsageNotRecorded e) {
            failure = e;
            throw e;
        }
    }

    /** Why the call could not be recorded, or null. */
    UsageNotRecorded failure() {
        return failure;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = new Guarded(super.getOutputStream());
        }
        return out;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), getCharacterEncoding()));
        }
        return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
        if (recordOnce()) {
            super.flushBuffer();
        }
    }

    @Override
    public void sendError(int sc) throws IOException {
        setStatus(sc);
        if (recordOnce()) {
            super.sendError(sc);
        }
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        setStatus(sc);
        if (recordOnce()) {
            super.sendError(sc, msg);
        }
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        setStatus(SC_FOUND);
        if (recordOnce()) {
            super.sendRedirect(location);
        }
    }

    private final class Guarded extends ServletOutputStream {

        private final ServletOutputStream target;

        Guarded(ServletOutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            if (recordOnce()) {
                target.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0 && recordOnce()) {
                target.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (recordOnce()) {
                target.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (recordOnce()) {
                target.close();
            }
        }

        @Override
        public boolean isReady() {
            return target.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            target.setWriteListener(listener);
        }
    }
}
