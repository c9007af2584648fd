package com.catalytic.deploy.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs a program as an operator would (a script of deploy/bin, the executable), for the tests of those programs. */
public final class Processes {

    /** How a program ended: its exit status, and its output and errors together. */
    public record Finished(int exit, String output) {
    }

    private Processes() {
    }

    /**
     * Runs {@code command} in {@code workDir}; {@code environment} adjusts the inherited environment (put, remove,
     * clear); fails the test when the program has not ended within {@code timeout}.
     */
    public static Finished run(List<String> command, Path workDir, Consumer<Map<String, String>> environment,
                               Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        environment.accept(pb.environment());
        Path out = Files.createTempFile("process-", ".txt");
        try {
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(p.isAlive()).as("%s ended by itself within %s; its output: %s", command, timeout, output)
                    .isFalse();
            return new Finished(p.exitValue(), output);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
