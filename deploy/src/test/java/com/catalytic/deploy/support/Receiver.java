package com.catalytic.deploy.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A webhook receiver on 127.0.0.1: records every request and answers from a script of replies per path (then 200 "ok").
 */
public final class Receiver implements AutoCloseable {

    /** One request as received: path, headers (names lower case, first value), body, and the status answered. */
    public record Received(String path, Map<String, String> headers, String body, int answered) {
    }

    /** One scripted answer. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public static Reply of(int status) {
            return new Reply(status, Map.of(), "");
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Reply>> scripts = new HashMap<>();
    private volatile Reply otherwise = new Reply(200, Map.of(), "ok");

    public Receiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT),
                    v.get(0)));
            Reply r;
            synchronized (scripts) {
                Deque<Reply> script = scripts.get(exchange.getRequestURI().getPath());
                r = script == null || script.isEmpty() ? otherwise : script.poll();
            }
            received.add(new Received(exchange.getRequestURI().toString(), headers,
                    new String(in, StandardCharsets.UTF_8), r.status()));
            r.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The next answers to requests for {@code path}. */
    public void then(String path, Reply... replies) {
        synchronized (scripts) {
            scripts.computeIfAbsent(path, p -> new ArrayDeque<>()).addAll(List.of(replies));
        }
    }

    public void otherwise(Reply reply) {
        otherwise = reply;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
