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
import dev.vmm.core.virtio.VirtioDevice;
import dev.vmm.core.virtio.VirtioMmio;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Where the {@code index}-th virtio device of a {@link MicroVm} lives, and what connects it to
 * KVM: a 4 KiB MMIO window from 0xD0000000 up (in the 32-bit MMIO gap) holding its virtio-mmio
 * registers, I/O APIC pin 16 + index raised through an irqfd, an ioeventfd per queue on its
 * QueueNotify register (so a notification costs the vCPU no exit), and its entry in the DSDT, where
 * Linux's virtio_mmio driver finds it.
 */
final class VirtioSlot implements AutoCloseable {
    /**
     * A device opened for a slot before KVM is touched.
     *
     * @param description what it is, for messages: "virtio-blk disk 0 (/path)"
     * @param device the device
     * @param close releases what the device holds (its file, tap or socket)
     */
    record Device(String description, VirtioDevice device, Runnable close) {
    }

    static final GuestAddress FIRST_WINDOW = GuestAddress.of(0xd000_0000L);
    static final long WINDOW_STRIDE = 0x1000;
    static final int FIRST_GSI = 16;
    private static final long QUEUE_NOTIFY = 0x50;

    private final Device device;
    private final VirtioMmio transport;
    private final IrqFdInterrupt interrupt;
    private final List<IoEventNotifier> queueNotify; // by queue index

    private VirtioSlot(Device device, VirtioMmio transport, IrqFdInterrupt interrupt, List<IoEventNotifier> queueNotify) {
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
    static VirtioSlot attach(Vm vm, GuestMemory memory, MicroVmDevices devices, int index, Device device, Consumer<Throwable> deviceFailed) {
        IrqFdInterrupt interrupt = null;
        List<IoEventNotifier> queueNotify = new ArrayList<>();
        try {
            interrupt = IrqFdInterrupt.register(vm, gsi(index));
            VirtioMmio transport = new VirtioMmio(device.device(), memory, interrupt, deviceFailed);
            // One eventfd per queue, each counting only writes of its own index: another value exits and the transport ignores it.
            for (int queue = 0; queue < device.device().queueMaxSizes().length; queue++) {
                queueNotify.add(IoEventNotifier.register(vm, IoEventAddress.mmio(window(index).plus(QUEUE_NOTIFY)), 4, OptionalLong.of(queue)));
            }
            devices.mmio().register(window(index).value(), VirtioMmio.SIZE, transport);
            return new VirtioSlot(device, transport, interrupt, List.copyOf(queueNotify));
        } catch (RuntimeException e) {
            queueNotify.forEach(IoEventNotifier::close);
            if (interrupt != null) {
                interrupt.close();
            }
            device.close().run();
            throw e;
        }
    }

    /** {@return what the device in this slot is, for messages} */
    String description() {
        return device.description();
    }

    /** {@return how many queues the device has: one notification thread each} */
    int queues() {
        return queueNotify.size();
    }

    /**
     * Forwards the guest's notifications of {@code queue} to the transport until {@link #close()}:
     * the body of one of this slot's notification threads. The transport only wakes the device's
     * own worker: no I/O here.
     */
    void forwardNotifications(int queue) {
        IoEventNotifier notifier = queueNotify.get(queue);
        while (notifier.await() > 0) {
            transport.queueNotified(queue);
        }
    }

    VirtioMmio transport() {
        return transport;
    }

    /** Stops the notifications, then the device (its worker stops touching guest memory), then the interrupt. */
    @Override
    public void close() {
        try {
            queueNotify.forEach(IoEventNotifier::close);
        } finally {
            try {
                device.close().run();
            } finally {
                interrupt.close();
            }
        }
    }
}
