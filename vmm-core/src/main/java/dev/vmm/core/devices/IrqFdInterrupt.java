// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import dev.vmm.core.EventFd;
import dev.vmm.core.Vm;

/**
 * An edge on a GSI of the in-kernel irqchip through KVM's irqfd: {@link #trigger()} is one write to
 * an eventfd, and KVM raises and lowers the line itself. No VM ioctl and no lock on the way, so
 * any number of vCPU threads may trigger it at once.
 */
public final class IrqFdInterrupt implements Interrupt, AutoCloseable {
    private final Vm vm;
    private final EventFd eventFd;
    private final int gsi;

    private IrqFdInterrupt(Vm vm, EventFd eventFd, int gsi) {
        this.vm = vm;
        this.eventFd = eventFd;
        this.gsi = gsi;
    }

    /**
     * Registers a new eventfd as the irqfd of {@code gsi} on {@code vm}.
     *
     * @param vm a VM with the in-kernel irqchip
     * @param gsi the interrupt line
     * @return the interrupt, to close when done
     * @throws dev.vmm.core.KvmException when the eventfd cannot be made or KVM refuses the irqfd
     */
    public static IrqFdInterrupt register(Vm vm, int gsi) {
        EventFd eventFd = EventFd.create();
        try {
            vm.registerIrqfd(eventFd, gsi);
        } catch (RuntimeException e) {
            eventFd.close();
            throw e;
        }
        return new IrqFdInterrupt(vm, eventFd, gsi);
    }

    @Override
    public void trigger() {
        eventFd.signal(1);
    }

    /** Unregisters the irqfd (while the VM is open) and closes the eventfd. */
    @Override
    public void close() {
        try {
            if (vm.isOpen()) {
                vm.unregisterIrqfd(eventFd, gsi);
            }
        } finally {
            eventFd.close();
        }
    }

    @Override
    public String toString() {
        return "irqfd GSI " + gsi;
    }
}
