package com.catalytic.deploy.config;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.JMException;
import javax.management.ObjectName;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.LifecycleProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.context.support.DefaultLifecycleProcessor;

/**
 * The start that {@code prepare_release} records a class data-sharing archive from
 * ({@code -Dcatalytic.startup-archive.record=true}, with {@code -XX:ArchiveClassesAtExit}): it stops where Spring's
 * {@code spring.context.exit=onRefresh} stops (every bean made, nothing started: no port, no event processor), but
 * only once the just-in-time compilers are idle. On Java 17 the archive keeps each method's "queued for compilation"
 * mark as the JVM left it (JDK-8306460, fixed in Java 21), and a method so marked is never compiled in any JVM that
 * starts from the archive: a rebuild whose SHA-256 stayed interpreted took 12 s of CPU for its audit chains instead
 * of 2. A start that stops at once leaves dozens of methods queued.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "catalytic.startup-archive.record", havingValue = "true")
class StartupArchiveRecording {

    /** Long enough for the compilers to catch up with a start; then it stops anyway, and says so. */
    private static final Duration MOST = Duration.ofSeconds(60);
    /** Idle this many times in a row, a few milliseconds apart: not a lull between two compilations. */
    private static final int IDLE_READS = 5;

    @Bean(name = AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME)
    LifecycleProcessor lifecycleProcessor() {
        return new DefaultLifecycleProcessor() {
            @Override
            public void onRefresh() {
                long started = System.nanoTime();
                boolean idle = waitForIdleCompilers();
                System.err.printf("catalytic: startup archive: compilers %s after %.1f s; stopping before the "
                        + "service starts%n", idle ? "idle" : "still busy", (System.nanoTime() - started) / 1e9);
                // as spring.context.exit=onRefresh: no shutdown hooks, nothing started; the archive is written now
                Runtime.getRuntime().halt(0);
            }
        };
    }

    private static boolean waitForIdleCompilers() {
        long deadline = System.nanoTime() + MOST.toNanos();
        int idleReads = 0;
        while (System.nanoTime() < deadline) {
            idleReads = idle(compilerQueue()) ? idleReads + 1 : 0;
            if (idleReads >= IDLE_READS) {
                return true;
            }
            try {
                Thread.sleep(idleReads > 0 ? 5 : 50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** What {@code jcmd <pid> Compiler.queue} prints: the compilations under way and those queued. */
    private static String compilerQueue() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                    new Object[] {null}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("cannot read the JVM's compile queues", e);
        }
    }

    /** Whether that report shows no compilation under way and every queue empty. */
    static boolean idle(String compilerQueue) {
        return compilerQueue.lines().map(String::strip).allMatch(line -> line.isEmpty()
                || line.equals("Current compiles:") || line.endsWith("compile queue:") || line.equals("Empty"));
    }
}
