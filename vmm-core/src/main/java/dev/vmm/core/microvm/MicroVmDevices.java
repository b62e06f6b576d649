// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.acpi.PowerRegister;
import dev.vmm.core.devices.BootCompleteSignal;
import dev.vmm.core.devices.Bus;
import dev.vmm.core.devices.I8042;
import dev.vmm.core.devices.Interrupt;
import dev.vmm.core.devices.RtcCmos;
import dev.vmm.core.devices.Serial16550;
import dev.vmm.core.devices.UnhandledAccesses;
import dev.vmm.core.snapshot.LegacyDeviceState;

import java.time.Clock;

/**
 * The devices of a {@link MicroVm} on their buses, and the way a vCPU's port and MMIO exits reach
 * them: the 16550 UART at 0x3f8 (IRQ 4), the i8042 at 0x60 and 0x64, the RTC/CMOS at 0x70, the
 * boot-complete port at 0x3f0 and the ACPI power register at 0x600 ({@link PowerRegister}; the
 * ACPI tables describe all of them). No KVM in here: what the devices need from the VM comes in as
 * objects ({@link Interrupt}, {@link Events}), so the whole model runs in tests and fuzzers exactly
 * as the vCPUs drive it.
 */
public final class MicroVmDevices {
    /** What the devices tell the VM. Each is called on a vCPU thread and must not block. */
    public interface Events {
        /**
         * A byte the guest transmitted on its serial console.
         *
         * @param b the byte, 0 to 255
         */
        void consoleByte(int b);

        /** The guest signalled boot-complete. */
        void bootComplete();

        /**
         * The guest reset the machine.
         *
         * @param how through what, e.g. "i8042 reset line"
         */
        void reboot(String how);

        /** The guest entered ACPI S5 (soft off). */
        void powerOff();
    }

    private final Bus ports = new Bus(Bus.Space.PORT);
    private final Bus mmio = new Bus(Bus.Space.MMIO);
    private final Serial16550 serial;
    private final I8042 i8042;
    private final RtcCmos rtc;

    /**
     * The devices on fresh buses.
     *
     * @param consoleIrq the UART's interrupt (GSI 4)
     * @param events what the devices tell the VM
     * @param clock the RTC's time source
     */
    public MicroVmDevices(Interrupt consoleIrq, Events events, Clock clock) {
        serial = new Serial16550(events::consoleByte, consoleIrq);
        i8042 = new I8042(() -> events.reboot("i8042 reset line"));
        rtc = new RtcCmos(clock);
        ports.register(Serial16550.COM1, Serial16550.PORTS, serial)
                .register(I8042.DATA_PORT, I8042.PORTS, i8042)
                .register(RtcCmos.PORT, RtcCmos.PORTS, rtc)
                .register(BootCompleteSignal.PORT, 1, new BootCompleteSignal(events::bootComplete))
                .register(PowerRegister.PORT, PowerRegister.LENGTH, new PowerRegister(events::powerOff, () -> events.reboot("ACPI reset register")));
    }

    /**
     * A port write of {@code count} items of {@code size} bytes ({@code out}, or {@code rep outs},
     * whose items all go to the same port). Items the data does not hold are ignored.
     *
     * @param port the I/O port
     * @param size the width of one item in bytes
     * @param count the number of items
     * @param data the bytes written
     */
    public void portWrite(int port, int size, int count, byte[] data) {
        if (size < 1 || size > Bus.MAX_ACCESS) {
            return;
        }
        byte[] item = new byte[size];
        for (int i = 0; i < count && (long) (i + 1) * size <= data.length; i++) {
            System.arraycopy(data, i * size, item, 0, size);
            ports.write(Integer.toUnsignedLong(port), item);
        }
    }

    /**
     * A port read of {@code count} items of {@code size} bytes into {@code reply}, which holds them all.
     *
     * @param port the I/O port
     * @param size the width of one item in bytes
     * @param count the number of items
     * @param reply receives the bytes the guest reads, {@code size * count} of them
     */
    public void portRead(int port, int size, int count, byte[] reply) {
        if (size < 1 || size > Bus.MAX_ACCESS) {
            return;
        }
        byte[] item = new byte[size];
        for (int i = 0; i < count && (long) (i + 1) * size <= reply.length; i++) {
            ports.read(Integer.toUnsignedLong(port), item);
            System.arraycopy(item, 0, reply, i * size, size);
        }
    }

    /**
     * An MMIO read at a guest physical address no memory slot covers.
     *
     * @param address the guest physical address
     * @param data receives the bytes the guest reads
     */
    public void mmioRead(long address, byte[] data) {
        mmio.read(address, data);
    }

    /**
     * An MMIO write at a guest physical address no memory slot covers.
     *
     * @param address the guest physical address
     * @param data the bytes written
     */
    public void mmioWrite(long address, byte[] data) {
        mmio.write(address, data);
    }

    /** {@return the I/O port bus} */
    public Bus ports() {
        return ports;
    }

    /** {@return the MMIO bus: the virtio-mmio windows of a {@link MicroVm}'s drives, and whatever is added} */
    public Bus mmio() {
        return mmio;
    }

    /** {@return the UART at COM1} */
    public Serial16550 serial() {
        return serial;
    }

    /** {@return the keyboard controller} */
    public I8042 i8042() {
        return i8042;
    }

    /** {@return the UART's, i8042's and RTC's state, for a snapshot taken while the vCPUs are held} */
    LegacyDeviceState legacyState() {
        return LegacyDeviceState.of(serial, i8042, rtc);
    }

    /** Puts a snapshot's legacy device state back, before the vCPUs run. */
    void restore(LegacyDeviceState state) {
        state.restoreInto(serial, i8042, rtc);
    }

    /** {@return the port and MMIO accesses no device claimed} */
    public UnhandledAccesses.Snapshot unhandled() {
        return ports.unhandled().plus(mmio.unhandled());
    }
}
