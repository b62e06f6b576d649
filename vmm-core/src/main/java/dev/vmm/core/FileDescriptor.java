// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.libc.Libc;

/**
 * An owned file descriptor. Each call brackets its use of the number with {@link #acquire()} and
 * {@link #release()}; {@link #close()} refuses new calls, waits for those in flight, and only then
 * closes the number. So no call can reach a number the process has closed and perhaps reused for
 * something else, and a use after close is an IllegalStateException.
 */
final class FileDescriptor implements AutoCloseable {
    private static final Runnable NOTHING = () -> { };

    private final String what;
    private final int fd;
    private final InUse calls = new InUse();
    private boolean released; // guarded by this: close(2) has run

    FileDescriptor(String what, int fd) {
        this.what = what;
        this.fd = fd;
    }

    /** The number, for one call; pair with {@link #release()} in a finally block. */
    int acquire() {
        if (!calls.enter()) {
            throw closed();
        }
        return fd;
    }

    void release() {
        calls.leave();
    }

    boolean isOpen() {
        return calls.isOpen();
    }

    /** The exception for a use after close. */
    IllegalStateException closed() {
        return new IllegalStateException("The " + what + " is closed; create a new one.");
    }

    /** Refuses new calls at once, without waiting; {@link #close()} later waits and closes the number. */
    void refuseNewCalls() {
        calls.markClosed();
    }

    @Override
    public void close() {
        close(NOTHING, NOTHING);
    }

    /**
     * Refuses new calls, waits for those in flight (running {@code whileBusy} between checks, to
     * interrupt a call that blocks), runs {@code beforeClose} once, then closes the number. A
     * second close waits for the first and does nothing.
     */
    synchronized void close(Runnable whileBusy, Runnable beforeClose) {
        calls.closeAndAwait(whileBusy);
        if (released) {
            return;
        }
        released = true;
        beforeClose.run();
        if (Libc.close(fd) != 0) {
            throw new KvmException("close(" + what + ")", Libc.errno(), "fd=" + fd);
        }
    }

    @Override
    public String toString() {
        return what + " fd " + fd + (isOpen() ? "" : " (closed)");
    }
}
