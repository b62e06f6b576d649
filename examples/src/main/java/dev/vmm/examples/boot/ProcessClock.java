// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import java.lang.management.ManagementFactory;
import java.time.Instant;

/** Milliseconds since this JVM started, for {@link System#nanoTime()} readings taken after {@link #start()}. */
final class ProcessClock {
    private final double startToNowMs;
    private final long nowNanos;

    private ProcessClock(double startToNowMs, long nowNanos) {
        this.startToNowMs = startToNowMs;
        this.nowNanos = nowNanos;
    }

    /** Call first thing in main: the JVM's start time is the one point measured against the wall clock. */
    static ProcessClock start() {
        long nanos = System.nanoTime();
        Instant now = Instant.now();
        long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        double startToNow = (now.getEpochSecond() * 1000 + now.getNano() / 1e6) - jvmStartMs;
        return new ProcessClock(startToNow, nanos);
    }

    /** From JVM start to the call of {@link #start()}. */
    double startToMainMs() {
        return startToNowMs;
    }

    /** Milliseconds from JVM start to the moment {@code nanos} ({@link System#nanoTime()}). */
    double atMs(long nanos) {
        return startToNowMs + (nanos - nowNanos) / 1e6;
    }
}
