package com.catalytic.deploy.config;

import io.axoniq.axonserver.grpc.control.NodeInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.axonserver.connector.AxonServerConfiguration;
import org.axonframework.spring.config.SpringAxonConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * With Axon Server switched on, the events live there. A node that reaches none of {@code AXON_SERVER_SERVERS}
 * would retry Axon's start for about twenty seconds and then fail with a message about retries; this check runs
 * just before Axon starts and stops the start at once with one clear message instead (printed by {@link Analyzer}).
 */
@Component
@ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "true")
class AxonServerReachability implements SmartLifecycle {

    /** No server of the list answered; the message names each with its error. */
    static final class UnreachableException extends IllegalStateException {
        UnreachableException(String message) {
            super(message);
        }
    }

    private final AxonServerConfiguration settings;
    private volatile boolean running;

    AxonServerReachability(AxonServerConfiguration settings) {
        this.settings = settings;
    }

    @Override
    public void start() {
        List<String> failures = new ArrayList<>();
        for (NodeInfo server : settings.routingServers()) {
            String address = server.getHostName() + ":" + server.getGrpcPort();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(server.getHostName(), server.getGrpcPort()),
                        (int) Math.min(Integer.MAX_VALUE, settings.getConnectTimeout()));
                running = true;
                return;
            } catch (IOException e) {
                failures.add(address + " (" + e.getMessage() + ")");
            }
        }
        throw new UnreachableException("Axon Server is switched on (AXON_SERVER_ENABLED) but no server of "
                + "AXON_SERVER_SERVERS answers: " + String.join(", ", failures));
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Just before Axon's own start (its connections, processors and buses). */
    @Override
    public int getPhase() {
        return SpringAxonConfiguration.LIFECYCLE_PHASE - 1;
    }

    /** The start's failure as an operator reads it: what is wrong, and the three ways out. */
    static final class Analyzer extends AbstractFailureAnalyzer<UnreachableException> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, UnreachableException cause) {
            return new FailureAnalysis(cause.getMessage(), "Start Axon Server (or open the way to it), correct "
                    + "AXON_SERVER_SERVERS (host:port, comma-separated; the port defaults to 8124), or set "
                    + "AXON_SERVER_ENABLED=false to keep the events in PostgreSQL (docs/OPERATIONS.md, section 13).",
                    cause);
        }
    }
}
