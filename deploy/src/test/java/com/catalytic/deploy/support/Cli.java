package com.catalytic.deploy.support;

import com.catalytic.deploy.CatalyticMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import picocli.CommandLine;

/** Runs the operator command line in process against a test schema, capturing what it prints. */
public final class Cli {

    private static final String KEY_DIR = "catalytic.auth.key-dir";

    public record Result(int code, String out) {
    }

    private Cli() {
    }

    public static Result run(String schema, String... args) {
        String url = TestApp.pgUrl() + (TestApp.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema
                + "&user=" + TestApp.pgUser();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--database-url";
        all[args.length + 1] = url;
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true));
        // the keys of the test apps (TestApp.KEY_DIR): the database encryption key opens what they sealed
        System.setProperty(KEY_DIR, TestApp.KEY_DIR.toString());
        try {
            int code = new CommandLine(new CatalyticMain()).execute(all);
            return new Result(code, buffer.toString());
        } finally {
            System.clearProperty(KEY_DIR);
            System.setOut(original);
        }
    }
}
