// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Says which test is running when one takes unusually long, with every thread's stack, so that a
 * test run that stalls (in the sandbox a stall ends the whole run at its time limit, and the
 * console's tree of results is never printed) shows where it stalled. Off unless the system
 * property {@code vmm.test.slowAfterSeconds} is set, as the sandbox runs of {@code ./vmm test} do.
 */
public final class SlowTestReporter implements TestExecutionListener {
    private static final String PROPERTY = "vmm.test.slowAfterSeconds";

    private final Map<TestIdentifier, Long> running = new ConcurrentHashMap<>();
    private Thread watcher;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return;
        }
        long slowNanos = Long.parseLong(value) * 1_000_000_000L;
        watcher = Thread.ofPlatform().daemon().name("vmm-slow-test-reporter").start(() -> watch(slowNanos));
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (watcher != null) {
            watcher.interrupt();
        }
    }

    @Override
    public void executionStarted(TestIdentifier test) {
        if (test.isTest()) {
            running.put(test, System.nanoTime());
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        running.remove(test);
    }

    /** Reports each running test once it has run slowNanos, and again each further slowNanos. */
    private void watch(long slowNanos) {
        Map<TestIdentifier, Long> reported = new ConcurrentHashMap<>();
        try {
            while (true) {
                Thread.sleep(5_000);
                long now = System.nanoTime();
                reported.keySet().retainAll(running.keySet());
                running.forEach((test, started) -> {
                    long due = reported.getOrDefault(test, started) + slowNanos;
                    if (now - due >= 0) {
                        reported.put(test, now);
                        report(test, (now - started) / 1_000_000_000L);
                    }
                });
            }
        } catch (InterruptedException e) {
            // the test plan has finished
        }
    }

    private static void report(TestIdentifier test, long seconds) {
        StringBuilder out = new StringBuilder();
        out.append("vmm test: ").append(LocalTime.now().truncatedTo(ChronoUnit.SECONDS)).append(' ')
                .append(test.getUniqueId()).append(" has run for ").append(seconds).append(" s; the JVM's threads:\n");
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            out.append("  \"").append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            for (StackTraceElement frame : stack) {
                out.append("      at ").append(frame).append('\n');
            }
        });
        System.err.print(out);
        System.err.flush();
    }
}
