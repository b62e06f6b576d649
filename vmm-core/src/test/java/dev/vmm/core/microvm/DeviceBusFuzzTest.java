package dev.vmm.core.microvm;

import dev.vmm.core.devices.Serial16550;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams of guest accesses against a MicroVm's devices, decoded from fuzz bytes, exactly as the
 * vCPU exits reach them: port reads and writes of any size and repeat count, MMIO anywhere,
 * console input. Nothing may throw, and the devices' state stays within its bounds.
 */
@Tag("fuzz")
class DeviceBusFuzzTest {
    private static final int[] PORTS = {0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x60, 0x64, 0x70, 0x71, 0x3f0, 0x600, 0xffff, 0xfffe, 0x80};
    private static final long[] MMIO = {0xd0000000L, 0xfec00000L, 0xfee00000L, 0xffffffffffffffffL, 0, 1L << 32};

    /** The devices under test, with everything they call out to counted. */
    private static final class Rig {
        final AtomicLong interrupts = new AtomicLong();
        final AtomicLong consoleBytes = new AtomicLong();
        final AtomicLong endings = new AtomicLong();
        final MicroVmDevices devices = new MicroVmDevices(interrupts::incrementAndGet, new MicroVmDevices.Events() {
            @Override
            public void consoleByte(int b) {
                consoleBytes.incrementAndGet();
            }

            @Override
            public void bootComplete() {
            }

            @Override
            public void reboot(String how) {
                endings.incrementAndGet();
            }

            @Override
            public void powerOff() {
                endings.incrementAndGet();
            }
        }, Clock.systemUTC());

        /** Runs the accesses {@code input} encodes (each: an opcode byte, an address, data); returns how many. */
        int play(byte[] input) {
            ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
            int operations = 0;
            for (; in.remaining() >= 2; operations++) {
                int op = in.get() & 0xff;
                int size = 1 << ((op >> 3) & 3);               // 1, 2, 4 or 8
                int count = (op & 0x20) != 0 ? 1 + (in.get() & 0xff) : 1; // rep ins/outs
                switch (op & 0x7) {
                    case 0, 1 -> { // port write
                        int port = port(in);
                        byte[] data = new byte[size * count];
                        in.get(data, 0, Math.min(data.length, in.remaining()));
                        devices.portWrite(port, size, count, data);
                    }
                    case 2, 3 -> devices.portRead(port(in), size, count, new byte[size * count]);
                    case 4 -> {
                        byte[] data = new byte[size];
                        long address = address(in);
                        in.get(data, 0, Math.min(size, in.remaining()));
                        devices.mmioWrite(address, data);
                    }
                    case 5 -> devices.mmioRead(address(in), new byte[size]);
                    case 6 -> devices.serial().receive(new byte[count * 16]);
                    default -> devices.portRead(0x3fd, 1, 1, new byte[1]); // poll the UART's line status
                }
            }
            return operations;
        }

        private static int port(ByteBuffer in) {
            int choice = in.hasRemaining() ? in.get() & 0xff : 0;
            if (choice < 0xc0 || in.remaining() < 2) {
                return PORTS[choice % PORTS.length];
            }
            return Short.toUnsignedInt(in.getShort());
        }

        private static long address(ByteBuffer in) {
            int choice = in.hasRemaining() ? in.get() & 0xff : 0;
            if (choice < 0x80 || in.remaining() < 8) {
                return MMIO[choice % MMIO.length] + (choice & 0x38);
            }
            return in.getLong();
        }

        /** What must hold whatever the guest did. */
        void checkInvariants() {
            byte[] one = new byte[1];
            devices.portRead(0x64, 1, 1, one);
            if ((one[0] & 1) != 0) { // an answer waits: reading it empties the controller
                devices.portRead(0x60, 1, 1, one);
                devices.portRead(0x64, 1, 1, one);
                assertEquals(0, one[0] & 1, "the i8042 holds one output byte, no more");
            }
            devices.portWrite(0x3fb, 1, 1, new byte[] {0x03}); // DLAB off, then drain the receiver
            devices.portWrite(0x3fc, 1, 1, new byte[] {0x00}); // loopback off
            int drained = 0;
            for (devices.portRead(0x3fd, 1, 1, one); (one[0] & 1) != 0; devices.portRead(0x3fd, 1, 1, one)) {
                devices.portRead(0x3f8, 1, 1, one);
                assertTrue(++drained <= Serial16550.MAX_INPUT, "the UART holds at most " + Serial16550.MAX_INPUT + " input bytes");
            }
            assertTrue(devices.unhandled().top().size() <= 32, "unhandled accesses are kept in bounded space");
        }
    }

    @Test
    void accessStreamsNeverThrowAndKeepTheDevicesBounded() {
        Rig rig = new Rig();
        Fuzzer.named("device-bus")
                .seed(new byte[] {0x00, 0x03, (byte) 0x80}) // LCR: DLAB
                .seed(new byte[] {0x00, 0x09, 0x20, 0x00, 0x09, 0x20, 0x02, 0x08}) // i8042 read-config twice, read data
                .seed(new byte[] {0x21, (byte) 0xff, 0x00, 'h', 'e', 'l', 'l', 'o'}) // rep outsb to the UART
                .seed(new byte[] {0x1c, (byte) 0x81, 0, 0, 0, (byte) 0xd0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}) // 8-byte MMIO write
                .seed(new byte[] {0x10, 0x0d, 0x01, 0x02, 0x03, 0x04}) // a 4-byte write at port 0xffff
                .inputs(30_000)
                .maxLength(4096)
                .run(input -> {
                    rig.play(input);
                    rig.checkInvariants();
                });
    }

    @Test
    void aMillionHostileAccessesLeaveTheHeapWhereItWas() {
        Rig rig = new Rig();
        Random random = new Random(42);
        byte[] batch = new byte[64 * 1024];
        long operations = 0;
        long heapAfterWarmUp = 0;
        for (int round = 0; operations < 1_000_000; round++) {
            random.nextBytes(batch);
            operations += rig.play(batch);
            if (round == 10) {
                heapAfterWarmUp = retainedHeap();
            }
        }
        long growth = retainedHeap() - heapAfterWarmUp;
        System.out.printf(java.util.Locale.ROOT, "device-bus: %d operations, retained heap grew by %d KiB after warm-up%n", operations, growth >> 10);
        assertTrue(growth < 2L << 20, "retained heap grew by " + (growth >> 10) + " KiB over a million operations");
        assertTrue(rig.devices.unhandled().total() > 100_000, "the stream reached unclaimed addresses");
    }

    private static long retainedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }
}
