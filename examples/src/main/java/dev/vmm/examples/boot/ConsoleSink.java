// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.function.IntConsumer;

/**
 * Where the guest's console goes: echoed to a stream (or dropped), and kept line by line until
 * the init's marker line shows up; the last lines are kept too, for a failure to show. Called
 * from vCPU threads.
 */
final class ConsoleSink implements IntConsumer {
    private static final int TAIL_LINES = 30;
    private final PrintStream echo;
    private final StringBuilder line = new StringBuilder();
    private final ArrayDeque<String> tail = new ArrayDeque<>(TAIL_LINES);
    private String markerLine = "";
    private long markerNanos;

    ConsoleSink(PrintStream echo) {
        this.echo = echo;
    }

    @Override
    public synchronized void accept(int b) {
        if (echo != null) {
            echo.write(b);
            if (b == '\n') {
                echo.flush();
            }
        }
        if (b == '\n') {
            String text = line.toString();
            if (markerLine.isEmpty() && BootMeasurement.MARKER.matcher(text).find()) {
                markerLine = text.strip();
                markerNanos = System.nanoTime();
            }
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(text);
            line.setLength(0);
        } else if (b != '\r' && line.length() < 4096) {
            line.append((char) (b & 0xff));
        }
    }

    /** Feeds text as if the guest had written it (QEMU's console arrives this way). */
    void accept(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            accept(bytes[i] & 0xff);
        }
    }

    /** {@return the last lines the guest wrote, and the one it is writing} */
    synchronized String tail() {
        return String.join("\n", tail) + (line.isEmpty() ? "" : "\n" + line);
    }

    synchronized String markerLine() {
        return markerLine;
    }

    /** When the marker line ended ({@link System#nanoTime()}), or 0. */
    synchronized long markerNanos() {
        return markerNanos;
    }

    synchronized void flush() {
        if (echo != null) {
            echo.flush();
        }
    }
}
