// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

/**
 * One activation's worker of a device that serves its queues on a thread of its own: a platform
 * daemon thread that runs {@link #run()} until the device stops it. {@link CurrentWorker} starts
 * it, wakes it and stops it; the subclass says how it waits and what it does when woken.
 *
 * <p>Stopping sets {@link #stopped()}, wakes the loop and waits, however long, until the thread
 * has ended: only then may the transport reset the queues the worker was reading. A worker
 * therefore looks at {@link #stopped()} whenever it wakes and before it takes more work, and at
 * {@link #abandoned()} between pieces of long work. A stop for a reset abandons the work in hand;
 * a pause for a snapshot ({@link CurrentWorker#pause()}) lets it finish, so that every chain the
 * worker popped is used before the guest's memory is saved.
 */
public abstract class VirtioWorker implements Runnable {
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean abandoned;

    /**
     * A worker whose thread, not yet started, is named {@code threadName}.
     *
     * @param threadName the thread's name, as thread dumps and profilers show it ("vmm-virtio-blk")
     */
    protected VirtioWorker(String threadName) {
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this);
    }

    /** {@return whether the device stopped this worker: the loop takes no more work and ends} */
    protected final boolean stopped() {
        return stopped;
    }

    /**
     * {@return whether the work in hand is dropped too: long work ends midway} True for a stop
     * before a reset, whose queues go away; false for a {@link #finishAndStop()}, whose work in
     * hand is completed.
     */
    protected final boolean abandoned() {
        return abandoned;
    }

    /**
     * Makes the loop look at its queues again, and at {@link #stopped()}. Called from the
     * transport's threads while the worker runs: it does no queue work and never blocks.
     */
    protected abstract void wake();

    /** Releases what {@link #wake()} needs, once the thread has ended; nothing by default. */
    protected void afterStop() {
    }

    /** {@return the worker's thread} */
    final Thread thread() {
        return thread;
    }

    /** Stops the loop, dropping the work in hand, and waits until the thread has ended; an interrupt does not cut the wait short, and is kept for the caller. */
    final void stop() {
        abandoned = true;
        finishAndStop();
    }

    /**
     * Stops the loop once the work in hand is done (a request the worker took from a queue is
     * completed and returned to the driver), and waits until the thread has ended, as {@link #stop()}.
     */
    final void finishAndStop() {
        stopped = true;
        wake();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true; // the caller's, kept for it: the worker must stop before the queues go
            }
        }
        afterStop();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
