package dev.vmm.core.microvm;

import dev.vmm.core.devices.BootCompleteSignal;
import dev.vmm.core.devices.Bus;
import dev.vmm.core.devices.I8042;
import dev.vmm.core.devices.Interrupt;
import dev.vmm.core.devices.RtcCmos;
import dev.vmm.core.devices.Serial16550;
import dev.vmm.core.devices.UnhandledAccesses;

import java.time.Clock;
import java.util.function.IntConsumer;

/**
 * The devices of a {@link MicroVm} on their buses, and the way a vCPU's port and MMIO exits reach
 * them: the 16550 UART at 0x3f8 (IRQ 4), the i8042 at 0x60 and 0x64, the RTC/CMOS at 0x70 and the
 * boot-complete port at 0x3f0. No KVM in here: what the devices need from the VM comes in as
 * objects ({@link Interrupt}, callbacks that must not block), so the whole model runs in tests and
 * fuzzers exactly as the vCPUs drive it.
 */
public final class MicroVmDevices {
    private final Bus ports = new Bus(Bus.Space.PORT);
    private final Bus mmio = new Bus(Bus.Space.MMIO);
    private final Serial16550 serial;
    private final I8042 i8042;

    /**
     * @param consoleIrq the UART's interrupt (GSI 4)
     * @param console each byte the guest transmits; must not block
     * @param reset the guest pulled the reset line; must not block
     * @param bootComplete the guest signalled boot-complete; must not block
     */
    public MicroVmDevices(Interrupt consoleIrq, IntConsumer console, Runnable reset, Runnable bootComplete, Clock clock) {
        serial = new Serial16550(console, consoleIrq);
        i8042 = new I8042(reset);
        ports.register(Serial16550.COM1, Serial16550.PORTS, serial)
                .register(I8042.DATA_PORT, I8042.PORTS, i8042)
                .register(RtcCmos.PORT, RtcCmos.PORTS, new RtcCmos(clock))
                .register(BootCompleteSignal.PORT, 1, new BootCompleteSignal(bootComplete));
    }

    /**
     * A port write of {@code count} items of {@code size} bytes ({@code out}, or {@code rep outs},
     * whose items all go to the same port). Items the data does not hold are ignored.
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

    /** A port read of {@code count} items of {@code size} bytes into {@code reply}, which holds them all. */
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

    /** An MMIO read at a guest physical address no memory slot covers. */
    public void mmioRead(long address, byte[] data) {
        mmio.read(address, data);
    }

    /** An MMIO write at a guest physical address no memory slot covers. */
    public void mmioWrite(long address, byte[] data) {
        mmio.write(address, data);
    }

    /** The I/O port bus. */
    public Bus ports() {
        return ports;
    }

    /** The MMIO bus (empty so far: every access is counted and dropped). */
    public Bus mmio() {
        return mmio;
    }

    public Serial16550 serial() {
        return serial;
    }

    public I8042 i8042() {
        return i8042;
    }

    /** Port and MMIO accesses no device claimed. */
    public UnhandledAccesses.Snapshot unhandled() {
        return ports.unhandled().plus(mmio.unhandled());
    }
}
