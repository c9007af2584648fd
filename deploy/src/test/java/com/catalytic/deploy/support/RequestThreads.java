package com.catalytic.deploy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The request threads of a service running in a JVM of its own ({@link ChildApp}), read over JMX from the thread
 * pool of its API connector (Tomcat's {@code ThreadPool} MBean): how many serve a request now, and the most there
 * can be. The service must be started with {@link #jvmOptions} and {@link #SETTINGS}.
 */
public final class RequestThreads implements AutoCloseable {

    /** Tomcat registers its MBeans only when asked. */
    public static final Map<String, String> SETTINGS = Map.of("server.tomcat.mbeanregistry.enabled", "true");

    private final JMXConnector connector;
    private final MBeanServerConnection mbeans;
    private final ObjectName pool;

    private RequestThreads(JMXConnector connector, MBeanServerConnection mbeans, ObjectName pool) {
        this.connector = connector;
        this.mbeans = mbeans;
        this.pool = pool;
    }

    /** JMX on 127.0.0.1:{@code jmxPort}, without authentication: for a test's own child JVM only. */
    public static List<String> jvmOptions(int jmxPort) {
        return List.of("-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false");
    }

    /** Connects to the JVM listening on {@code jmxPort} and finds the pool of the connector on {@code apiPort}. */
    public static RequestThreads connect(int jmxPort, int apiPort) {
        try {
            JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(
                    "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"));
            MBeanServerConnection mbeans = connector.getMBeanServerConnection();
            Set<ObjectName> pools = mbeans.queryNames(new ObjectName("Tomcat:type=ThreadPool,*"), null);
            ObjectName pool = pools.stream().filter(n -> n.getKeyProperty("name").endsWith("-" + apiPort + "\""))
                    .findFirst().orElseThrow(() -> new AssertionError("no thread pool of the connector on port "
                            + apiPort + " among " + pools));
            return new RequestThreads(connector, mbeans, pool);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Request threads serving a request at this moment. */
    public int busy() {
        return attribute("currentThreadsBusy");
    }

    /** The most request threads the connector runs. */
    public int max() {
        return attribute("maxThreads");
    }

    private int attribute(String name) {
        try {
            return ((Number) mbeans.getAttribute(pool, name)).intValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
