package com.catalytic.deploy.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Processes;
import com.catalytic.deploy.support.Processes.Finished;
import com.catalytic.deploy.support.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A release of the packaged jar (so after {@code package}: Maven's integration-test phase) prepared as
 * catalytic-deploy prepares it: unpacked into {@code app/} with a class data-sharing archive of a start of the
 * service on a production environment file; {@code bin/catalytic}, installed beside it, then runs from there with
 * the archive's classes (a static archive), and from the jar again once the jar it was unpacked from is replaced;
 * the recording start leaves the node's data directory and log file as they were.
 */
class StartupArchiveIT {

    static final String DB = "sa_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    static final Path JAR = Path.of("target/catalytic.jar").toAbsolutePath();
    static JdbcTemplate admin;

    @TempDir
    static Path dir;
    static Path home;
    static Path release;
    static Path envFile;

    @BeforeAll
    static void node() throws Exception {
        assertThat(JAR).as("the packaged jar").exists();
        admin = new JdbcTemplate(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:5432/postgres",
                TestApp.pgUser(), ""));
        admin.execute("CREATE DATABASE " + DB);
        envFile = DeployScriptTest.productionEnvironment(dir, DB, DeployScriptTest.freePort());
        // the service's own log file, at a level every start writes to: the recording start must not write to it
        Files.writeString(envFile, "LOGGING_FILE_NAME=" + dir.resolve("logs/catalytic.log") + "\nLOG_LEVEL=INFO\n",
                StandardOpenOption.APPEND);
        home = Files.createDirectories(dir.resolve("opt-catalytic"));
        Path bin = Files.createDirectories(home.resolve("bin"));
        for (String script : List.of("catalytic", "catalytic-common.sh")) {
            Files.copy(Path.of("bin", script), bin.resolve(script));
            assertThat(bin.resolve(script).toFile().setExecutable(true)).isTrue();
        }
        release = Files.createDirectories(home.resolve("releases/1.0.0"));
        Files.copy(JAR, release.resolve("catalytic.jar"));
        Files.createSymbolicLink(home.resolve("current"), Path.of("releases/1.0.0"));
        // the schema as catalytic-deploy leaves it before it prepares a release
        Finished migrated = catalytic(List.of("db", "migrate"), null);
        assertThat(migrated.exit()).as(migrated.output()).isZero();
    }

    @AfterAll
    static void dropDatabase() {
        admin.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
    }

    @Test
    void aPreparedReleaseStartsFromItsUnpackedJarWithTheArchivedClasses() throws Exception {
        Path loads = dir.resolve("before.log");
        Finished before = catalytic(List.of("config", "check", "--env-file", envFile.toString()), loads);
        assertThat(before.exit()).as(before.output()).isZero();
        assertThat(archived(loads)).as("not prepared: nothing comes from an archive").isZero();
        assertThat(Files.readString(loads)).contains("source: jar:nested:" + release.toRealPath());

        Path serviceLog = dir.resolve("logs/catalytic.log");
        String logBefore = Files.exists(serviceLog) ? Files.readString(serviceLog) : null;
        List<Path> dataBefore = listed(dir.resolve("data"));
        Finished prepared = Processes.run(List.of("bash", "-c", ". bin/catalytic-common.sh && prepare_release \"$1\" "
                + "\"$2\"", "prepare", release.toString(), envFile.toString()), Path.of("."), env -> {
                    env.remove("DATABASE_URL");
                    env.put("JAVA", java());
                }, Duration.ofMinutes(4));
        assertThat(prepared.exit()).as(prepared.output()).isZero();
        assertThat(prepared.output()).contains("with the classes of a start in app/catalytic.jsa");
        assertThat(release.resolve("app/catalytic.jar")).exists();
        assertThat(release.resolve("app/catalytic.jsa")).isNotEmptyFile();
        try (Stream<Path> left = Files.list(release.resolve("app"))) {
            assertThat(left.map(p -> p.getFileName().toString())).doesNotContain("catalytic.jsa.part");
        }
        // a start of the service opens its usage journal in the data directory and logs to the file named: the
        // recording start did neither in the node's (a running service's journal is locked, its log its own)
        assertThat(listed(dir.resolve("data"))).as("the node's data directory").isEqualTo(dataBefore);
        assertThat(Files.exists(serviceLog) ? Files.readString(serviceLog) : null).as("the service's log file")
                .isEqualTo(logBefore);

        loads = dir.resolve("after.log");
        Finished after = catalytic(List.of("config", "check", "--env-file", envFile.toString()), loads);
        assertThat(after.exit()).as(after.output()).isZero();
        assertThat(archived(loads)).as("classes of the release come from the archive").isGreaterThan(100);
        // a static archive, written by a JVM without the JIT: a dynamic one ("top" layer) keeps the JIT state of the
        // start it was recorded from, and on Java 17 a method queued then is never compiled where it is used
        assertThat(Files.readString(loads)).doesNotContain("shared objects file (top)");
        assertThat(Files.readString(loads)).doesNotContain("jar:nested:")
                .contains("source: file:" + release.toRealPath().resolve("app/lib"));

        // a jar replaced after it was unpacked runs itself, not the stale copy
        Files.setLastModifiedTime(release.resolve("catalytic.jar"), FileTime.from(Instant.now().plusSeconds(60)));
        loads = dir.resolve("replaced.log");
        Finished replaced = catalytic(List.of("config", "check", "--env-file", envFile.toString()), loads);
        assertThat(replaced.exit()).as(replaced.output()).isZero();
        assertThat(archived(loads)).isZero();
        assertThat(Files.readString(loads)).contains("source: jar:nested:" + release.toRealPath());
    }

    /** Runs the installed bin/catalytic; with {@code loads}, the JVM logs where each class came from into it. */
    private static Finished catalytic(List<String> args, Path loads) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/catalytic").toString()));
        command.addAll(args);
        return Processes.run(command, dir, env -> {
            env.remove("DATABASE_URL");
            env.put("CATALYTIC_ENV_FILE", envFile.toString());
            env.put("PATH", Path.of(java()).getParent() + ":" + env.get("PATH"));
            if (loads != null) {
                env.put("JAVA_OPTS", "-Xms256m -Xmx1g -Xlog:class+load=info:file=" + loads);
            }
        }, Duration.ofMinutes(3));
    }

    /** Everything under {@code dir}, sorted. */
    private static List<Path> listed(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.sorted().toList();
        }
    }

    /** Classes of the application and its libraries loaded from an archive (the JDK's own holds none of them). */
    private static long archived(Path loads) throws Exception {
        try (Stream<String> lines = Files.lines(loads)) {
            return lines.filter(l -> l.contains("source: shared objects file"))
                    .filter(l -> !l.matches(".*\\] (java|javax|jdk|sun|com\\.sun)\\..*")).count();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
