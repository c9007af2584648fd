package com.catalytic.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the recording start takes the JIT compilers for idle: what {@code jcmd <pid> Compiler.queue} prints. */
class StartupArchiveRecordingTest {

    @Test
    void idleOnlyWithNothingCompilingAndEveryQueueEmpty() {
        String idleTiered = """
                Current compiles:\s

                C1 compile queue:
                Empty

                C2 compile queue:
                Empty

                """;
        String compiling = """
                Current compiles:\s
                C2 CompilerThread0  1190   !   4       com.example.Reader::classSigToType (497 bytes)

                C1 compile queue:
                Empty

                C2 compile queue:
                Empty
                """;
        String queued = """
                Current compiles:\s

                C1 compile queue:
                Empty

                C2 compile queue:
                1367       4       java.util.HashMap::putVal (300 bytes)
                """;
        assertThat(StartupArchiveRecording.idle(idleTiered)).isTrue();
        assertThat(StartupArchiveRecording.idle("Current compiles: \n\nC1 compile queue:\nEmpty\n")).isTrue();
        assertThat(StartupArchiveRecording.idle(compiling)).isFalse();
        assertThat(StartupArchiveRecording.idle(queued)).isFalse();
    }
}
