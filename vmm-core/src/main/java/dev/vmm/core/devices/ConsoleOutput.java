// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import java.time.Duration;
import java.util.function.IntConsumer;

/**
 * A bounded buffer between a guest's console and whoever reads it: {@link #offer} never blocks (it
 * runs on a vCPU thread), a thread of its own hands the bytes to the sink, and when the sink falls
 * {@code capacity} bytes behind, further bytes are dropped and {@linkplain #dropped() counted}.
 * A slow or stuck terminal thus loses output instead of stalling the guest.
 */
public final class ConsoleOutput implements AutoCloseable {
    /** The default capacity: a few screens of boot messages. */
    public static final int DEFAULT_CAPACITY = 64 * 1024;

    private final IntConsumer sink;
    private final byte[] ring;
    private long written; // bytes accepted so far; guarded by this
    private long taken;   // bytes handed to the sink (or being handed); guarded by this
    private long delivered; // bytes the sink has returned from; guarded by this
    private long dropped;
    private boolean closed;
    private final Thread writer;

    /**
     * Starts the thread that feeds {@code sink}; {@code name} names it.
     *
     * @param sink receives each byte, on the buffer's own thread; it may block
     * @param capacity how many bytes may wait for the sink, at least 1 (e.g. {@link #DEFAULT_CAPACITY})
     * @param name the thread's name
     * @throws IllegalArgumentException when {@code capacity} is less than 1
     */
    public ConsoleOutput(IntConsumer sink, int capacity, String name) {
        if (capacity < 1) {
            throw new IllegalArgumentException("A console buffer needs room for at least one byte, not " + capacity + ".");
        }
        this.sink = sink;
        this.ring = new byte[capacity];
        this.writer = Thread.ofPlatform().daemon().name(name).start(this::drain);
    }

    /**
     * Queues one byte for the sink, or drops it (counted) when the buffer is full. Never blocks.
     *
     * @param b the byte, in the low 8 bits
     */
    public synchronized void offer(int b) {
        if (closed || written - taken == ring.length) {
            dropped++;
            return;
        }
        ring[(int) (written++ % ring.length)] = (byte) b;
        if (written - taken == 1) {
            notifyAll();
        }
    }

    /** {@return the bytes dropped because the sink was {@code capacity} bytes behind, or after close} */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * Waits up to {@code timeout} for the sink to have every byte offered so far.
     *
     * @param timeout how long to wait at most
     * @return true if the sink has them all, false on timeout
     */
    public synchronized boolean flush(Duration timeout) {
        long target = written;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (delivered < target) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void drain() {
        byte[] chunk = new byte[4096];
        while (true) {
            int n;
            synchronized (this) {
                while (written == taken && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (written == taken) {
                    return; // closed and empty
                }
                n = (int) Math.min(chunk.length, written - taken);
                for (int i = 0; i < n; i++) {
                    chunk[i] = ring[(int) ((taken + i) % ring.length)];
                }
                taken += n; // the ring space is free again: the bytes are in chunk
            }
            try {
                for (int i = 0; i < n; i++) {
                    sink.accept(chunk[i] & 0xff);
                }
            } catch (RuntimeException e) {
                // A sink that fails loses this chunk, never the VM.
            }
            synchronized (this) {
                delivered += n;
                notifyAll();
            }
        }
    }

    /**
     * Stops taking bytes; the thread hands the sink what is queued and ends. Does not wait for a
     * stuck sink: its thread is a daemon.
     */
    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
