package com.catalytic.deploy.rebuild;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/** Work of a rebuild on a thread of its own, beside the replay. */
final class Background {

    private Background() {
    }

    /** Starts {@code work} on a daemon thread of this name. */
    static <T> FutureTask<T> start(String name, Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** Waits for the work, rethrowing its failure. */
    static <T> T await(FutureTask<T> work) throws Exception {
        try {
            return work.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
