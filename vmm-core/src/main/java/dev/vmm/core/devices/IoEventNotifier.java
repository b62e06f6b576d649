// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import dev.vmm.core.EventFd;
import dev.vmm.core.IoEventAddress;
import dev.vmm.core.Vm;

import java.util.OptionalLong;

/**
 * A guest write that wakes a device worker without an exit to the VMM: an eventfd registered with
 * KVM for one MMIO address or I/O port ({@link Vm#registerIoeventfd}, where which writes count is
 * spelled out). KVM adds 1 to the counter per write and the vCPU runs on; the worker {@link #await()}s
 * the counter on its own thread. For a virtio-mmio device, that is the QueueNotify register.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=io-event-notifier}
 */
public final class IoEventNotifier implements AutoCloseable {
    private final Vm vm;
    private final EventFd writes;
    private final EventFd stop; // signalled once by stopWaiting() and never read: poll sees it readable for good
    private final IoEventAddress address;
    private final int length;
    private final OptionalLong datamatch;
    private volatile boolean stopped;
    private boolean closed; // guarded by this

    private IoEventNotifier(Vm vm, EventFd writes, EventFd stop, IoEventAddress address, int length, OptionalLong datamatch) {
        this.vm = vm;
        this.writes = writes;
        this.stop = stop;
        this.address = address;
        this.length = length;
        this.datamatch = datamatch;
    }

    /**
     * Registers a new eventfd for the guest's writes to {@code address} on {@code vm}; the arguments
     * and exceptions are those of {@link Vm#registerIoeventfd}.
     *
     * @param vm the VM whose guest writes
     * @param address the guest physical address or I/O port
     * @param length 0 (any write) or 1, 2, 4 or 8 bytes
     * @param datamatch the only written value that counts, or empty for every value
     * @return the registered notifier, to close when done
     */
    public static IoEventNotifier register(Vm vm, IoEventAddress address, int length, OptionalLong datamatch) {
        EventFd writes = EventFd.create();
        EventFd stop = null;
        try {
            stop = EventFd.create();
            vm.registerIoeventfd(writes, address, length, datamatch);
        } catch (RuntimeException e) {
            writes.close();
            if (stop != null) {
                stop.close();
            }
            throw e;
        }
        return new IoEventNotifier(vm, writes, stop, address, length, datamatch);
    }

    /**
     * Takes the count without waiting: never blocks.
     *
     * @return the guest's writes counted since the last {@link #drain} or {@link #await}, which resets to 0
     */
    public long drain() {
        return writes.take();
    }

    /**
     * Waits until the guest has written at least once since the last call, then returns how many
     * times it wrote and resets the count. Returns 0 at once, forever after, when
     * {@link #stopWaiting()} or {@link #close()} was called: a worker's cue to end. Call it from a
     * platform thread: it blocks in poll(2), which would pin a virtual thread's carrier.
     *
     * @return how many times the guest wrote, or 0 once the notifier stops waiting
     */
    public long await() {
        try {
            while (!stopped) {
                long count = writes.take();
                if (count > 0) {
                    return count;
                }
                EventFd.awaitAny(writes, stop);
            }
            return 0;
        } catch (IllegalStateException e) {
            if (stopped) {
                return 0; // close() ran meanwhile and closed the eventfds
            }
            throw e;
        }
    }

    /** Makes a waiting {@link #await()} return 0, and every later one too, from any thread. The registration stays. */
    public void stopWaiting() {
        stopped = true;
        try {
            stop.signal(1);
        } catch (IllegalStateException closedAlready) {
            // close() closed it only after waking every waiter: there is nobody left to wake.
        }
    }

    /**
     * Wakes a waiting worker ({@link #stopWaiting()}), deregisters the ioeventfd while the VM is
     * open (a closed VM took its registrations with it), and closes the eventfds; the guest's writes
     * exit to the VMM again. Waits for an {@link #await()} in progress to return. A second close does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopWaiting();
        try {
            if (vm.isOpen()) {
                vm.unregisterIoeventfd(writes, address, length, datamatch);
            }
        } catch (IllegalStateException e) {
            if (vm.isOpen()) {
                throw e;
            } // the VM closed meanwhile, which deregistered everything
        } finally {
            try {
                writes.close();
            } finally {
                stop.close();
            }
        }
    }

    @Override
    public String toString() {
        return "ioeventfd " + address + " length " + length
                + (datamatch.isPresent() ? " datamatch 0x" + Long.toHexString(datamatch.getAsLong()) : "");
    }
}
