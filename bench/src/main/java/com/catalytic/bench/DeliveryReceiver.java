package com.catalytic.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** A webhook receiver on 127.0.0.1 that reads each POST and answers 200 with no body. */
final class DeliveryReceiver implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;
    private final AtomicLong received = new AtomicLong();

    private DeliveryReceiver(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    static DeliveryReceiver start(int threads) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        DeliveryReceiver receiver = new DeliveryReceiver(server, Executors.newFixedThreadPool(threads));
        server.createContext("/hook", receiver::answer);
        server.setExecutor(receiver.threads);
        server.start();
        return receiver;
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            received.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    /** POSTs received so far. */
    long received() {
        return received.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
