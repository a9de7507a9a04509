package io.github.iothubexporter.app;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/** Polls a condition; on timeout prints every thread's stack (to the test output) before failing, to explain a hang. */
final class Waits {
    private Waits() {
    }

    static void until(Duration timeout, String what, Callable<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
                last = null;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        StringBuilder dump = new StringBuilder("=== timed out waiting for " + what + "; threads:\n");
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            dump.append('"').append(t.getKey().getName()).append("\" ").append(t.getKey().getState()).append('\n');
            for (StackTraceElement e : t.getValue()) {
                dump.append("    at ").append(e).append('\n');
            }
        }
        System.out.println(dump);
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what, last);
    }
}
