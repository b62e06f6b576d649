// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestMemory;
import dev.vmm.core.devices.Interrupt;

import java.util.List;

/**
 * A virtio device behind a transport ({@link VirtioMmio}): what it is, what it offers, its
 * configuration space, and the work on its queues once the driver has set it up. The transport
 * does the rest of the virtio protocol (status, feature negotiation, queue setup, interrupts).
 *
 * <p>The transport calls these methods one at a time, under its lock, from vCPU threads (later
 * from an ioeventfd's thread too); they must not block on the outside world for long. A device
 * whose work is slow (disk I/O) does it on a thread of its own: {@link #queueNotified} only wakes
 * that thread, {@link #reset} waits until it no longer touches the queues or guest memory, and
 * the thread reports a broken queue, or its own failure, through {@link Faults}. Such a device
 * keeps its thread in a {@link CurrentWorker}.
 */
public interface VirtioDevice {
    /**
     * How a device that works on a thread of its own tells the transport what went wrong there.
     * Callable from any thread; neither method takes a lock or blocks.
     */
    interface Faults {
        /**
         * The driver broke a rule: the transport sets DEVICE_NEEDS_RESET and raises a
         * configuration change interrupt, as for a {@link VirtqueueException} thrown from
         * {@link #queueNotified}.
         *
         * @param reason which rule, in one sentence
         */
        void needsReset(VirtqueueException reason);

        /**
         * The device's thread failed (a bug of the VMM's, or an {@link Error}) and serves nothing
         * more: the transport sets DEVICE_NEEDS_RESET, so that the driver is not left waiting for
         * requests that never complete, and tells its owner.
         *
         * @param error what the thread threw
         */
        void failed(Throwable error);
    }

    /**
     * The transport hands the device, once, from its constructor, the way to raise a configuration
     * change notification ({@link VirtioMmio#configChanged()}: a new configuration generation and
     * the interrupt). A device whose configuration changes by itself, not by a driver's write (a
     * network link that goes down), calls {@code configChanged} after the change. It is callable from
     * any thread and takes no lock, so a device may call it while holding its own. The default
     * ignores it: most devices' configuration never changes by itself.
     *
     * @param configChanged raises the configuration change notification
     */
    default void setConfigChangeNotifier(Runnable configChanged) {
    }

    /** {@return the virtio device ID (virtio 1.2, section 5): 1 network, 2 block, 19 socket} */
    int deviceType();

    /**
     * The device's own feature bits. The transport adds VIRTIO_F_VERSION_1 and the ring features
     * every {@link Virtqueue} implements (INDIRECT_DESC, EVENT_IDX).
     *
     * @return the feature bits, as the driver reads them
     */
    long features();

    /** {@return one entry per queue: its maximum size, a power of two from 1 to 32768} */
    int[] queueMaxSizes();

    /** {@return the bytes of device configuration space, at most 0x100 (the MMIO window ends there)} */
    int configSize();

    /**
     * The driver reads {@code data.length} bytes of configuration at {@code offset}; the range is inside {@link #configSize()}.
     *
     * @param offset where the read starts in the configuration space
     * @param data receives the bytes
     */
    void readConfig(int offset, byte[] data);

    /**
     * The driver writes {@code data} at {@code offset} of the configuration; the range is inside {@link #configSize()}.
     *
     * @param offset where the write starts in the configuration space
     * @param data the bytes written
     */
    void writeConfig(int offset, byte[] data);

    /**
     * The driver set DRIVER_OK: from now on the device works on {@code queues}, one per entry of
     * {@link #queueMaxSizes()}, whose rings were checked (a queue the driver did not enable pops
     * nothing).
     *
     * @param features the features the driver accepted
     * @param memory the guest memory the rings and buffers live in
     * @param queues the device's queues, in order
     * @param usedBuffers raises a used buffer notification: call it when a queue's
     *     {@link Virtqueue#needsNotification()} says so (from any thread; it takes no lock)
     * @param faults where the device's own thread reports a broken rule or its own failure
     */
    void activate(long features, GuestMemory memory, List<Virtqueue> queues, Interrupt usedBuffers, Faults faults);

    /**
     * The driver notified queue {@code queue} (an enabled queue of an active device): pop its
     * chains until there are none.
     *
     * @param queue the queue's index
     * @throws VirtqueueException when a chain broke the rules; the transport then marks the device
     *     DEVICE_NEEDS_RESET and stops calling it until the driver resets it
     */
    void queueNotified(int queue) throws VirtqueueException;

    /**
     * A snapshot is about to save the guest, its vCPUs held: finish the requests in hand, so that
     * every chain popped is used, and take no more until {@link #resume()}. A device with a thread of
     * its own returns once that thread no longer touches the queues or guest memory; the default
     * does nothing, right for a device that does all its work in {@link #queueNotified}.
     *
     * @throws IllegalStateException when the device cannot be saved in a snapshot
     */
    default void pause() {
    }

    /** The snapshot is saved: serve the queues again, looking at them once (a notification may have come meanwhile). */
    default void resume() {
    }

    /**
     * The transport was restored from a snapshot and activated the device on the saved queues
     * ({@link VirtioMmio#restore}): state the snapshot does not hold, such as a vsock device's
     * connections, is gone, and the device tells the driver so where its specification says how.
     * Nothing by default.
     */
    default void restored() {
    }

    /**
     * The driver reset the device: forget the queues and everything negotiated. A device with a
     * thread of its own returns only once that thread no longer touches the queues, guest memory
     * or the transport: the transport resets the queues next.
     */
    void reset();
}
