// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the calls in flight on a resource, so that closing it can wait for them to leave instead
 * of pulling the resource out from under them. One CAS to enter and one decrement to leave: cheap
 * enough for every KVM_RUN.
 */
final class InUse {
    private static final int CLOSED = Integer.MIN_VALUE; // the sign bit; the rest counts the calls in flight

    private final AtomicInteger state = new AtomicInteger();

    /** Enters a call; false once {@link #markClosed()} has run (and then nothing was entered). */
    boolean enter() {
        while (true) {
            int s = state.get();
            if (s < 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Leaves a call entered with {@link #enter()}. */
    void leave() {
        state.decrementAndGet();
    }

    boolean isOpen() {
        return state.get() >= 0;
    }

    /** Refuses every later {@link #enter()}; returns whether this call did it (false when already closed). */
    boolean markClosed() {
        return state.getAndUpdate(s -> s | CLOSED) >= 0;
    }

    /**
     * Marks closed and waits until no call is in flight, running {@code whileBusy} (say, to
     * interrupt a blocking call) before each check. Must not be called from inside a call.
     */
    void closeAndAwait(Runnable whileBusy) {
        markClosed();
        while ((state.get() & ~CLOSED) != 0) {
            whileBusy.run();
            LockSupport.parkNanos(100_000);
        }
    }
}
