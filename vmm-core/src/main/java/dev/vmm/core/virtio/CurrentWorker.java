// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.virtio.VirtioDevice.Faults;

import java.util.function.Supplier;

/**
 * The worker of a device that serves its queues on a thread of its own ({@link VirtioBlock},
 * {@link VirtioNet}, {@code vsock.VirtioVsock}): at most one at a time, made and started when the
 * driver activates the device, woken when it notifies a queue, stopped and waited for when it
 * resets the device, and never started again once the device is closed. The device keeps what is
 * its own: how a worker is made, and what closing releases besides the worker.
 *
 * <p>Its methods are synchronized, so it holds up from any thread; a worker never takes its lock.
 *
 * @param <W> the device's kind of worker
 */
public final class CurrentWorker<W extends VirtioWorker> {
    private W worker; // guarded by this
    private boolean closed; // guarded by this
    private Runnable startAgain; // guarded by this; makes and starts another worker as the last start did, until a stop
    private boolean paused; // guarded by this

    /** A device's worker slot, empty until the first {@link #start}. */
    public CurrentWorker() {
    }

    /**
     * Stops the current worker, then, unless the device is closed, makes a new one and starts its
     * thread. A worker that cannot be made (the host refused it a resource: a closed port, no
     * eventfd or selector left) is reported to {@code faults}, and the device serves nothing
     * until the next activation.
     *
     * @param faults where a failure to make the worker goes, as the worker's own failures do
     * @param newWorker makes the worker, its thread not yet started
     * @return the worker started, or null when the device is closed or none could be made
     */
    public synchronized W start(Faults faults, Supplier<? extends W> newWorker) {
        stop();
        startAgain = () -> startNew(faults, newWorker);
        return startNew(faults, newWorker);
    }

    private W startNew(Faults faults, Supplier<? extends W> newWorker) {
        if (closed) {
            return null;
        }
        try {
            worker = newWorker.get();
        } catch (RuntimeException e) {
            faults.failed(e);
            return null;
        }
        worker.thread().start();
        return worker;
    }

    /** Wakes the current worker, if any; no queue work here. */
    public synchronized void wake() {
        if (worker != null) {
            worker.wake();
        }
    }

    /** Stops the current worker, if any, and waits for it: it no longer touches the queues or guest memory when this returns. */
    public synchronized void stop() {
        startAgain = null;
        paused = false;
        if (worker != null) {
            worker.stop();
            worker = null;
        }
    }

    /**
     * Stops the current worker, if any, once the work it has in hand is done, and waits for it:
     * every chain it popped is used, and it no longer touches the queues or guest memory when this
     * returns. {@link #resume()} starts another on the same queues, as the last {@link #start} did.
     */
    public synchronized void pause() {
        if (worker != null && !paused) {
            worker.finishAndStop();
            worker = null;
            paused = true;
        }
    }

    /**
     * Starts another worker as the last {@link #start} did, after a {@link #pause()}, and wakes it
     * to look at its queues (a notification may have come while none ran); nothing otherwise.
     */
    public synchronized void resume() {
        if (paused) {
            paused = false;
            startAgain.run();
            wake();
        }
    }

    /**
     * Stops the current worker as {@link #stop()} does, and starts none from now on.
     *
     * @return true the first time, when the device is to release what else it holds; false once closed
     */
    public synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        stop();
        return true;
    }

    /** {@return the current worker's thread, or null when none runs; for tests} */
    public synchronized Thread thread() {
        return worker == null ? null : worker.thread();
    }
}
