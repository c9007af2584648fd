package com.catalytic.deploy.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 in front of a server (PostgreSQL, in the outage tests). {@link #cut()} drops every open
 * connection and refuses new ones at once, as a stopped or restarting server does; {@link #restore()} lets them
 * through again. Only the application under test goes through it, so other tests keep their database.
 */
public final class TcpProxy implements AutoCloseable {

    private final String host;
    private final int port;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean up = true;

    public TcpProxy(String host, int port) {
        this.host = host;
        this.port = port;
        try {
            server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    /** A relay in front of the tests' PostgreSQL server. */
    public static TcpProxy toPostgres() {
        URI pg = URI.create(TestApp.pgUrl().substring("jdbc:".length()));
        return new TcpProxy(pg.getHost(), pg.getPort());
    }

    /** An instance on {@code schema} whose every connection to PostgreSQL goes through this relay. */
    public TestApp startApp(String schema, Map<String, String> overrides) {
        URI pg = URI.create(TestApp.pgUrl().substring("jdbc:".length()));
        Map<String, String> settings = new HashMap<>(overrides);
        settings.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + port() + pg.getPath()
                + "?currentSchema=" + schema);
        return TestApp.start(schema, settings);
    }

    /** The relay's port on 127.0.0.1. */
    public int port() {
        return server.getLocalPort();
    }

    /** Every connection through the relay is dropped, and new ones are closed as soon as they arrive. */
    public void cut() {
        up = false;
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    public void restore() {
        up = true;
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (!up) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket(host, port);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
