package com.catalytic.deploy.operations;

import com.catalytic.deploy.CatalyticMain;

/**
 * A release that passes its configuration check and migrations (it delegates them to the real executable) but
 * cannot serve: it exits at once, as a release with a start-up fault would.
 */
public final class BrokenRelease {

    private BrokenRelease() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && "serve".equals(args[0])) {
            System.err.println("broken release: failing at start");
            System.exit(1);
        }
        CatalyticMain.main(args);
    }
}
