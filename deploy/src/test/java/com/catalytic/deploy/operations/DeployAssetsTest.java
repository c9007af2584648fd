package com.catalytic.deploy.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.catalytic.deploy.support.Processes.Finished;
import com.catalytic.deploy.support.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files operators install, checked by the tools that will read them: every script of {@code deploy/bin} by
 * shellcheck (warnings and errors) and every shell script of the repository by {@code bash -n}; the systemd units
 * by {@code systemd-analyze verify}. (The nginx site runs under nginx in {@code NginxSiteTest}.) The tools are
 * needed: .ci/run installs shellcheck; systemd-analyze comes with systemd.
 */
class DeployAssetsTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    static Finished run(List<String> command) throws IOException, InterruptedException {
        return Processes.run(command, ROOT, env -> { }, Duration.ofMinutes(2));
    }

    static List<Path> deployScripts() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/bin"))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void everyDeployScriptPassesShellcheck() throws Exception {
        List<Path> scripts = deployScripts();
        assertThat(scripts).extracting(p -> p.getFileName().toString()).contains("catalytic", "catalytic-backup",
                "catalytic-restore", "catalytic-deploy", "catalytic-rollback", "catalytic-common.sh");
        List<String> command = new ArrayList<>(List.of("shellcheck", "--severity=warning", "--external-sources",
                "--source-path=SCRIPTDIR"));
        scripts.forEach(p -> command.add(p.toString()));
        command.add(ROOT.resolve("deploy/nginx/reload-nginx-after-renewal").toString());
        command.add(ROOT.resolve(".ci/run").toString());
        Finished result = run(command);
        assertThat(result.exit()).as(result.output()).isZero();

        // a positive control: the same check finds a real fault
        Path bad = Files.writeString(dir.resolve("bad"), "#!/usr/bin/env bash\nrm -rf $1/*\n");
        Finished found = run(List.of("shellcheck", "--severity=warning", bad.toString()));
        assertThat(found.exit()).isNotZero();
        assertThat(found.output()).contains("SC2115");
    }

    @Test
    void everyShellScriptParses() throws Exception {
        List<Path> scripts = new ArrayList<>(deployScripts());
        try (Stream<Path> files = Files.walk(ROOT.resolve("bench"))) {
            files.filter(p -> p.toString().endsWith(".sh")).forEach(scripts::add);
        }
        scripts.add(ROOT.resolve(".ci/run"));
        for (Path script : scripts) {
            Finished result = run(List.of("bash", "-n", script.toString()));
            assertThat(result.exit()).as(script + ": " + result.output()).isZero();
        }
        Path bad = Files.writeString(dir.resolve("bad.sh"), "if true; then\necho unterminated\n");
        assertThat(run(List.of("bash", "-n", bad.toString())).exit()).isNotZero();
    }

    /**
     * systemd-analyze verify checks each unit as systemd would load it, including that its programs exist: the
     * install paths under /opt/catalytic are mapped to a scratch copy of deploy/bin (the only substitution).
     */
    @Test
    void systemdUnitsVerify() throws Exception {
        Path opt = Files.createDirectories(dir.resolve("opt-catalytic"));
        Path bin = Files.createDirectories(opt.resolve("bin"));
        for (Path script : deployScripts()) {
            Files.copy(script, bin.resolve(script.getFileName()));
            assertThat(bin.resolve(script.getFileName()).toFile().setExecutable(true)).isTrue();
        }
        List<String> units = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/systemd"))) {
            for (Path unit : files.sorted().toList()) {
                String text = Files.readString(unit);
                String mapped = text.replace("/opt/catalytic/bin/", bin + "/");
                assertThat(text.contains("/opt/catalytic/bin/") == !mapped.equals(text)).isTrue();
                units.add(Files.writeString(dir.resolve(unit.getFileName()), mapped).toString());
            }
        }
        assertThat(units).extracting(u -> Path.of(u).getFileName().toString())
                .contains("catalytic.service", "catalytic-backup.service", "catalytic-backup.timer");
        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify"));
        command.addAll(units);
        Finished result = run(command);
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).as("no warning either").isBlank();

        // a positive control: a misspelt directive is reported
        Path bad = Files.writeString(dir.resolve("bad.service"),
                "[Service]\nExecStart=/bin/true\nRestartt=always\n");
        assertThat(run(List.of("systemd-analyze", "verify", bad.toString())).output()).contains("Restartt");
    }

    /** The logrotate file parses (logrotate's own debug mode, which changes nothing), with its log folder mapped. */
    @Test
    void logrotateConfigurationParses() throws Exception {
        String config = Files.readString(ROOT.resolve("deploy/logrotate/catalytic"));
        assertThat(config).contains("/var/log/catalytic/*.log").contains("su catalytic catalytic");
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("backup.log"), "catalytic-backup: wrote …\n");
        String user = System.getProperty("user.name");
        Path mapped = Files.writeString(dir.resolve("catalytic"), config.replace("/var/log/catalytic", logs.toString())
                .replace("catalytic catalytic", user + " " + user));
        Path state = dir.resolve("state");
        String logrotate = Files.isExecutable(Path.of("/usr/sbin/logrotate")) ? "/usr/sbin/logrotate" : "logrotate";
        Finished result = run(List.of(logrotate, "--debug", "--state", state.toString(), mapped.toString()));
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("backup.log").doesNotContain("error");

        Path bad = Files.writeString(dir.resolve("bad"), logs + "/*.log {\n    dialy\n}\n");
        Finished refused = run(List.of(logrotate, "--debug", "--state", state.toString(), bad.toString()));
        assertThat(refused.output()).contains("error");
    }
}
