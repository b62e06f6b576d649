// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.IoEventAddress;
import dev.vmm.core.Vm;
import dev.vmm.core.acpi.Aml;
import dev.vmm.core.acpi.Dsdt;
import dev.vmm.core.devices.IoEventNotifier;
import dev.vmm.core.devices.IrqFdInterrupt;
import dev.vmm.core.virtio.VirtioBlock;
import dev.vmm.core.virtio.VirtioMmio;

import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Where the {@code index}-th virtio device of a {@link MicroVm} lives, and what connects it to
 * KVM: a 4 KiB MMIO window from 0xD0000000 up (in the 32-bit MMIO gap) holding its virtio-mmio
 * registers, I/O APIC pin 16 + index raised through an irqfd, an ioeventfd on its QueueNotify
 * register (so a notification costs the vCPU no exit), and its entry in the DSDT, where Linux's
 * virtio_mmio driver finds it.
 */
final class VirtioSlot implements AutoCloseable {
    static final GuestAddress FIRST_WINDOW = GuestAddress.of(0xd000_0000L);
    static final long WINDOW_STRIDE = 0x1000;
    static final int FIRST_GSI = 16;
    private static final long QUEUE_NOTIFY = 0x50;

    private final VirtioBlock device;
    private final VirtioMmio transport;
    private final IrqFdInterrupt interrupt;
    private final IoEventNotifier queueNotify;

    private VirtioSlot(VirtioBlock device, VirtioMmio transport, IrqFdInterrupt interrupt, IoEventNotifier queueNotify) {
        this.device = device;
        this.transport = transport;
        this.interrupt = interrupt;
        this.queueNotify = queueNotify;
    }

    static GuestAddress window(int index) {
        return FIRST_WINDOW.plus(index * WINDOW_STRIDE);
    }

    static int gsi(int index) {
        return FIRST_GSI + index;
    }

    /** The DSDT entry of the device in slot {@code index}. */
    static Aml dsdtEntry(int index) {
        return Dsdt.virtioMmio(index, window(index).value(), VirtioMmio.SIZE, gsi(index));
    }

    /**
     * Puts {@code device} into slot {@code index} of {@code vm}; it owns the device from here on
     * (closes it). {@code deviceFailed} hears of a failure of the device's own thread.
     */
    static VirtioSlot attach(Vm vm, GuestMemory memory, MicroVmDevices devices, int index, VirtioBlock device, Consumer<Throwable> deviceFailed) {
        IrqFdInterrupt interrupt = null;
        try {
            interrupt = IrqFdInterrupt.register(vm, gsi(index));
            VirtioMmio transport = new VirtioMmio(device, memory, interrupt, deviceFailed);
            // The block device has one queue, 0: only that value counts (another exits and is ignored by the transport).
            IoEventNotifier queueNotify = IoEventNotifier.register(vm, IoEventAddress.mmio(window(index).plus(QUEUE_NOTIFY)), 4, OptionalLong.of(0));
            devices.mmio().register(window(index).value(), VirtioMmio.SIZE, transport);
            return new VirtioSlot(device, transport, interrupt, queueNotify);
        } catch (RuntimeException e) {
            if (interrupt != null) {
                interrupt.close();
            }
            device.close();
            throw e;
        }
    }

    /**
     * Forwards the guest's notifications to the transport until {@link #close()}: the body of this
     * slot's notification thread. The transport only wakes the device's own worker: no I/O here.
     */
    void forwardNotifications() {
        while (queueNotify.await() > 0) {
            transport.queueNotified(0);
        }
    }

    VirtioMmio transport() {
        return transport;
    }

    /** Stops the notifications, then the device (its worker stops touching guest memory), then the interrupt. */
    @Override
    public void close() {
        try {
            queueNotify.close();
        } finally {
            try {
                device.close();
            } finally {
                interrupt.close();
            }
        }
    }
}
