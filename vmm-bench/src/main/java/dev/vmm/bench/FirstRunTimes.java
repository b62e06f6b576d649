// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import java.io.IOException;

/**
 * What one start-up child reported, read against the parent's clock: ms from just before the
 * parent started it to just before its first KVM_RUN, and to just after the guest's HLT exit.
 */
record FirstRunTimes(double toFirstRunMs, double toHltMs) {

    /**
     * Reads the child's output, two lines of CLOCK_MONOTONIC ns ({@link FirstRun}, first_run.c),
     * against {@code startNanos}, the parent's System.nanoTime() just before it started {@code child}.
     */
    static FirstRunTimes parse(String output, long startNanos, String child) throws IOException {
        String[] lines = output.isBlank() ? new String[0] : output.strip().split("\n");
        if (lines.length != 2) {
            throw new IOException(child + " printed " + lines.length + " lines instead of 2 (before KVM_RUN, after HLT): '" + output.strip() + "'.");
        }
        long beforeRun = nanos(lines[0], child), afterHlt = nanos(lines[1], child);
        if (beforeRun <= startNanos || afterHlt < beforeRun) {
            throw new IOException(child + " printed times out of order (started at " + startNanos + ", before KVM_RUN " + beforeRun
                    + ", after HLT " + afterHlt + "): not the parent's CLOCK_MONOTONIC?");
        }
        return new FirstRunTimes((beforeRun - startNanos) / 1e6, (afterHlt - startNanos) / 1e6);
    }

    private static long nanos(String line, String child) throws IOException {
        try {
            return Long.parseLong(line.strip());
        } catch (NumberFormatException e) {
            throw new IOException(child + " printed '" + line.strip() + "' where a time in ns belongs.");
        }
    }
}
