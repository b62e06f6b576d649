// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.devices.Serial16550;
import dev.vmm.core.virtio.Virtqueue;
import dev.vmm.core.virtio.VirtioBlock;
import dev.vmm.core.virtio.VirtioMmio;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static dev.vmm.fuzz.FuzzBytes.u8;
import static dev.vmm.fuzz.FuzzBytes.u16;
import static dev.vmm.fuzz.FuzzBytes.u32;
import static dev.vmm.fuzz.FuzzBytes.u64;
import static dev.vmm.fuzz.FuzzBytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams of guest accesses against a MicroVm's devices, decoded from fuzz bytes, exactly as the
 * vCPU exits reach them: port reads and writes of any size and repeat count, MMIO anywhere,
 * console input, and a hostile virtio driver of two virtio-blk drives (read-only and read-write,
 * each behind its virtio-mmio window as in a MicroVm): register accesses, bring-ups with queues in
 * guest memory that starts as the input's own bytes, descriptors, available ring entries and
 * notifications. Nothing may throw, on the fuzzing thread or a device's; the devices' state stays
 * within its bounds; a drive that set DEVICE_NEEDS_RESET keeps it until a reset; and the read-only
 * image stays byte-identical.
 */
@Tag("fuzz")
class DeviceBusFuzzTest {
    private static final int[] PORTS = {0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x60, 0x64, 0x70, 0x71, 0x3f0, 0x600, 0xffff, 0xfffe, 0x80};
    private static final long[] MMIO = {VirtioSlot.window(0).value(), VirtioSlot.window(1).value(), 0xfec00000L, 0xfee00000L, 0xffffffffffffffffL, 0, 1L << 32};
    /** The drives' guest memory: 64 KiB at 0 (drive i's rings at 0x4000 * i), a hole, and a page. */
    private static final long RAM = 0x10000, HIGH = 0x20000, HIGH_SIZE = 0x1000;
    private static final int SECTORS = 16;
    /** Waits for a drive per input (see {@link Rig#awaitDevice}). */
    private static final int MAX_AWAITS = 2;
    private static final int QUEUE_NOTIFY = 0x50, STATUS = 0x70;

    /** A virtio-blk drive on the MMIO bus as a MicroVm attaches it, and the driver's side the ops keep. */
    private static final class Drive {
        final VirtioBlock device;
        final VirtioMmio transport;
        final long window;
        final long rings;    // descriptor table, available ring, used ring: 4 KiB apart
        long resets;         // Status writes of 0 sent to it
        boolean brokenBefore;
        long resetsBefore;
        boolean activeInInput; // DRIVER_OK after some operation of the input: its thread may have done I/O
        int size = 1;
        int availIdx;
        boolean notified;    // queue 0, since the last bring-up

        Drive(VirtioBlock device, VirtioMmio transport, long window, long rings) {
            this.device = device;
            this.transport = transport;
            this.window = window;
            this.rings = rings;
        }

        boolean broken() {
            return (transport.status() & VirtioMmio.DEVICE_NEEDS_RESET) != 0;
        }

        /** Brought up (DRIVER_OK) and not broken. */
        boolean working() {
            return (transport.status() & (VirtioMmio.DRIVER_OK | VirtioMmio.DEVICE_NEEDS_RESET)) == VirtioMmio.DRIVER_OK;
        }
    }

    /** The devices under test, with everything they call out to counted. */
    private static final class Rig implements AutoCloseable {
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
        final GuestMemory memory = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), RAM),
                new GuestMemory.Range(GuestAddress.of(HIGH), HIGH_SIZE)));
        final Path dir;
        final byte[] image = new byte[SECTORS * 512];
        final Path readOnlyImage;
        final Path readWriteImage;
        final Drive[] drives = new Drive[2];
        /** What the drives' threads threw, as their transports report it (a MicroVm ends its run with it): nothing may. */
        final Queue<Throwable> deviceFailures = new ConcurrentLinkedQueue<>();
        /** Bring-ups per input: each activation starts a device thread, by far the slowest thing here. */
        final int maxBringUps;
        int bringUps;
        int awaits;

        Rig(int maxBringUps) throws IOException {
            this.maxBringUps = maxBringUps;
            // tmpfs where there is one: a write without VIRTIO_BLK_F_FLUSH is forced to the file.
            Path shm = Path.of("/dev/shm");
            dir = Files.createTempDirectory(Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")), "vmm-bus-fuzz");
            new Random(7).nextBytes(image);
            readOnlyImage = Files.write(dir.resolve("ro.img"), image);
            readWriteImage = Files.write(dir.resolve("rw.img"), image);
            for (int i = 0; i < drives.length; i++) {
                VirtioBlock device = VirtioBlock.open(i == 0 ? readOnlyImage : readWriteImage, i == 0);
                VirtioMmio transport = new VirtioMmio(device, memory, interrupts::incrementAndGet, deviceFailures::add);
                long window = VirtioSlot.window(i).value();
                devices.mmio().register(window, VirtioMmio.SIZE, transport);
                drives[i] = new Drive(device, transport, window, 0x4000L * i);
            }
        }

        /** Runs the accesses {@code input} encodes (each: an opcode byte, an address, data); returns how many. */
        int play(byte[] input) {
            // The drives' rings start as the input's bytes: a bring-up alone hands the device fuzz.
            memory.fill(GuestAddress.of(0), RAM, (byte) 0);
            memory.fill(GuestAddress.of(HIGH), HIGH_SIZE, (byte) 0);
            memory.write(GuestAddress.of(0), Arrays.copyOf(input, (int) Math.min(input.length, RAM)));
            bringUps = 0;
            awaits = 0;
            for (Drive d : drives) {
                d.activeInInput = false;
            }
            ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
            int operations = 0;
            for (; in.remaining() >= 2; operations++) {
                int op = in.get() & 0xff;
                for (Drive d : drives) {
                    d.brokenBefore = d.broken();
                    d.resetsBefore = d.resets;
                }
                if (op >= 0xc0) {
                    virtio(op, in);
                } else {
                    access(op, in);
                }
                for (Drive d : drives) {
                    int status = d.transport.status();
                    if (d.brokenBefore && d.resets == d.resetsBefore) {
                        assertTrue((status & VirtioMmio.DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET went away without a reset at " + Long.toHexString(d.window));
                    }
                    d.activeInInput |= (status & VirtioMmio.DRIVER_OK) != 0;
                }
            }
            return operations;
        }

        /** Port, MMIO and console operations: {@code op} below 0xc0. */
        private void access(int op, ByteBuffer in) {
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
                    mmioWrite(address, data);
                }
                case 5 -> devices.mmioRead(address(in), new byte[size]);
                case 6 -> devices.serial().receive(new byte[count * 16]);
                default -> devices.portRead(0x3fd, 1, 1, new byte[1]); // poll the UART's line status
            }
        }

        /**
         * A virtio driver's operations, {@code op} from 0xc0: bits 0-2 what, bit 3 which drive, bit
         * 4 the raw form (any offset and width, an address anywhere, the ioeventfd's path), bit 5 a
         * descriptor in the page past the hole with a 32-bit length.
         */
        private void virtio(int op, ByteBuffer in) {
            Drive d = drives[(op >> 3) & 1];
            boolean raw = (op & 0x10) != 0;
            switch (op & 7) {
                case 0 -> {
                    if (raw) {
                        long offset = u16(in) & 0x1ff;
                        mmioWrite(d.window + offset, bytes(in, 1 << (u8(in) & 3)));
                    } else {
                        register(d, (u8(in) & 0x7f) * 4, u32(in));
                    }
                }
                case 1 -> devices.mmioRead(d.window + (raw ? u16(in) & 0x1ff : (u8(in) & 0x7f) * 4), new byte[raw ? 1 << (u8(in) & 3) : 4]);
                case 2 -> {
                    int how = u8(in), sizeCode = u8(in);
                    if (bringUps < maxBringUps) {
                        bringUps++;
                        bringUp(d, how, sizeCode);
                    }
                }
                case 3 -> { // fuzz bytes into guest memory, clipped to the region
                    long address = raw ? HIGH + u16(in) % HIGH_SIZE : u16(in) % RAM;
                    byte[] data = bytes(in, u8(in));
                    long room = (raw ? HIGH + HIGH_SIZE : RAM) - address;
                    memory.write(GuestAddress.of(address), Arrays.copyOf(data, (int) Math.min(data.length, room)));
                }
                case 4 -> {
                    int queue = raw ? 0 : u8(in) >= 0xf0 ? 1 : 0;
                    if (raw) {
                        d.transport.queueNotified(0); // as an ioeventfd's thread forwards it
                    } else {
                        register(d, QUEUE_NOTIFY, queue); // queue 1: no such queue
                    }
                    d.notified |= queue == 0;
                }
                case 5 -> { // a descriptor
                    int index = u8(in);
                    long address = raw ? u64(in) : (op & 0x20) != 0 ? HIGH + u16(in) : u16(in);
                    long length = (op & 0x20) != 0 ? Integer.toUnsignedLong(u32(in)) : u16(in);
                    ByteBuffer descriptor = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(address).putInt((int) length).putShort((short) (u8(in) & 7)).putShort((short) u8(in));
                    memory.write(GuestAddress.of(d.rings + 16L * index), descriptor.array());
                }
                case 6 -> { // make a chain available, or set the available index outright
                    GuestAddress avail = GuestAddress.of(d.rings + 0x1000);
                    if (raw) {
                        d.availIdx = u16(in);
                    } else {
                        memory.writeU16(avail.plus(4 + 2L * (d.availIdx % d.size)), u16(in));
                        d.availIdx = (d.availIdx + 1) & 0xffff;
                    }
                    memory.writeU16(avail.plus(2), d.availIdx);
                }
                default -> awaitDevice(d);
            }
        }

        /**
         * Linux's bring-up of queue 0 at the drive's rings; {@code how}: bit 0 EVENT_IDX, bit 1
         * INDIRECT_DESC, bit 2 no VERSION_1, bit 3 FLUSH, bit 4 the descriptor table past the hole,
         * bit 5 RO; {@code sizeCode} a power of two to 512, or from bit 7 on any size.
         */
        private void bringUp(Drive d, int how, int sizeCode) {
            register(d, STATUS, 0);
            register(d, STATUS, VirtioMmio.ACKNOWLEDGE);
            register(d, STATUS, VirtioMmio.ACKNOWLEDGE | VirtioMmio.DRIVER);
            long features = ((how & 4) == 0 ? VirtioMmio.VERSION_1 : 0) | ((how & 1) != 0 ? Virtqueue.EVENT_IDX : 0)
                    | ((how & 2) != 0 ? Virtqueue.INDIRECT_DESC : 0) | ((how & 8) != 0 ? VirtioBlock.F_FLUSH : 0)
                    | ((how & 0x20) != 0 ? VirtioBlock.F_RO : 0);
            register(d, 0x24, 1);
            register(d, 0x20, (int) (features >>> 32));
            register(d, 0x24, 0);
            register(d, 0x20, (int) features);
            register(d, STATUS, VirtioMmio.ACKNOWLEDGE | VirtioMmio.DRIVER | VirtioMmio.FEATURES_OK);
            int size = (sizeCode & 0x80) != 0 ? sizeCode : 1 << (sizeCode % 10);
            register(d, 0x30, 0);
            register(d, 0x38, size);
            register(d, 0x80, (int) ((how & 0x10) != 0 ? HIGH : d.rings));
            register(d, 0x90, (int) (d.rings + 0x1000));
            register(d, 0xa0, (int) (d.rings + 0x2000));
            register(d, 0x44, 1);
            d.size = size;
            d.notified = false;
            d.availIdx = memory.readU16(GuestAddress.of(d.rings + 0x1000 + 2));
            register(d, STATUS, VirtioMmio.ACKNOWLEDGE | VirtioMmio.DRIVER | VirtioMmio.FEATURES_OK | VirtioMmio.DRIVER_OK);
        }

        /**
         * Gives a working drive that was notified up to 50 ms (its thread may not have run yet on a
         * busy machine) to use what is available, until its used index caught up, or to break; a
         * few times per input.
         */
        private void awaitDevice(Drive d) {
            GuestAddress usedIdx = GuestAddress.of(d.rings + 0x2000 + 2);
            if (awaits >= MAX_AWAITS || !d.notified || !d.working() || memory.readU16(usedIdx) == d.availIdx) {
                return;
            }
            awaits++;
            long deadline = System.nanoTime() + 50_000_000;
            while (memory.readU16(usedIdx) != d.availIdx && !d.broken() && System.nanoTime() < deadline) {
                Thread.yield(); // the drive's thread needs a core, and a busy machine may have few
            }
        }

        private void register(Drive d, int offset, int value) {
            mmioWrite(d.window + offset, new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)});
        }

        /** An MMIO write through the bus, counting the resets (Status = 0) it sends to a drive. */
        private void mmioWrite(long address, byte[] data) {
            for (Drive d : drives) {
                if (address == d.window + STATUS && Arrays.equals(data, new byte[4])) {
                    d.resets++;
                }
            }
            devices.mmioWrite(address, data);
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

        /** What must hold whatever the guest did; resets the drives, whose threads then stop, for the next input. */
        void checkInvariants() throws IOException {
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
            for (Drive d : drives) {
                // The reason first: the drive's thread may break it meanwhile, never mend it.
                Optional<String> why = d.transport.needsResetReason();
                int status = d.transport.status();
                assertEquals(0, status & ~0xcf, "status bits");
                assertTrue(why.isEmpty() || d.broken(), "a reason without DEVICE_NEEDS_RESET: " + why);
                if ((status & VirtioMmio.DEVICE_NEEDS_RESET) != 0) {
                    String reason = d.transport.needsResetReason().orElseThrow();
                    assertTrue(reason.endsWith(".") && reason.lines().count() == 1, reason);
                }
                register(d, STATUS, 0);
                assertEquals(0, d.transport.status(), "Status after a reset");
            }
            Throwable failure = deviceFailures.poll();
            if (failure != null) {
                throw new AssertionError("a drive's thread failed", failure);
            }
            // Only a drive's thread touches its image, and it runs only from DRIVER_OK on: skip the reads otherwise.
            if (drives[0].activeInInput) {
                assertArrayEquals(image, Files.readAllBytes(readOnlyImage), "the read-only image is byte-identical");
            }
            if (drives[1].activeInInput) {
                assertEquals(image.length, Files.size(readWriteImage), "the read-write image keeps its size");
            }
        }

        /** Live device threads of the drives (at most one each; none after their reset). */
        static long driveThreads() {
            return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals("vmm-virtio-blk")).count();
        }

        @Override
        public void close() throws IOException {
            for (Drive d : drives) {
                if (d != null) {
                    d.device.close();
                }
            }
            memory.close();
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void accessStreamsNeverThrowAndKeepTheDevicesBounded() throws IOException {
        // No bring-ups: the drives' registers take the stream as any device's do; the virtio target below brings them up.
        try (Rig rig = new Rig(0)) {
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
    }

    /**
     * The same streams from a driver's seeds, with a bring-up per input: each activation starts the
     * drive's thread, which serves or breaks on what the stream left in guest memory.
     */
    @Test
    void hostileVirtioDriversOnTheBusBreakOnlyTheirDrives() throws IOException {
        try (Rig rig = new Rig(1)) {
            long[] working = new long[1];
            long[] broken = new long[1];
            Fuzzer.Result result = Fuzzer.named("device-bus-virtio").seeds(virtioSeeds()).inputs(3_000).maxLength(4096).run(input -> {
                rig.play(input);
                for (Drive d : rig.drives) {
                    working[0] += d.working() ? 1 : 0;
                    broken[0] += d.broken() ? 1 : 0;
                }
                rig.checkInvariants();
            });
            System.out.println("device-bus-virtio: of " + result.executed() + " inputs, " + working[0] + " left a drive working, "
                    + broken[0] + " left one DEVICE_NEEDS_RESET");
            assertEquals(0, Rig.driveThreads(), "drive threads still running after their reset");
            // Refusing everything would pass too: the streams must leave drives working and broken, often.
            assertTrue(working[0] >= 500 && broken[0] >= 200, working[0] + " working, " + broken[0] + " broken");
        }
    }

    /** Drives brought up with valid requests, and with queues that break a rule (see {@link Rig#virtio}). */
    private static List<byte[]> virtioSeeds() {
        byte[] read = { // drive 0: a read of sector 0 into 0x9000 (the header at 0x8000 is zeros: T_IN)
                (byte) 0xc2, 0x00, 0x03,                            // bring-up, VERSION_1 only, 8 entries
                (byte) 0xc5, 0, 0x00, (byte) 0x80, 16, 0, 1, 1,     // descriptor 0: 0x8000, 16 bytes, NEXT 1
                (byte) 0xc5, 1, 0x00, (byte) 0x90, 0, 2, 3, 2,      // descriptor 1: 0x9000, 512, WRITE|NEXT 2
                (byte) 0xc5, 2, 0x00, (byte) 0xa0, 1, 0, 2, 0,      // descriptor 2: 0xa000, 1 byte, WRITE
                (byte) 0xc6, 0, 0,                                  // head 0 available
                (byte) 0xc4, 0,                                     // QueueNotify 0
                (byte) 0xc7, 0};                                    // wait for the drive
        byte[] write = { // drive 1: a write of sector 1 from 0x9000, with FLUSH
                (byte) 0xc3, 0x00, (byte) 0x80, 16, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, // header: T_OUT, sector 1
                (byte) 0xca, 0x08, 0x03,
                (byte) 0xcd, 0, 0x00, (byte) 0x80, 16, 0, 1, 1,
                (byte) 0xcd, 1, 0x00, (byte) 0x90, 0, 2, 1, 2,      // descriptor 1: readable
                (byte) 0xcd, 2, 0x00, (byte) 0xa0, 1, 0, 2, 0,
                (byte) 0xce, 0, 0,
                (byte) 0xdc,                                        // the ioeventfd's notification
                (byte) 0xcf, 0};
        byte[] loop = { // drive 0: descriptor 0 continues at itself, then notifications to the broken drive
                (byte) 0xc2, 0x00, 0x03,
                (byte) 0xc5, 0, 0x00, (byte) 0x80, 16, 0, 1, 0,
                (byte) 0xc6, 0, 0,
                (byte) 0xc4, 0, (byte) 0xc7, 0, (byte) 0xc4, 0, (byte) 0xd4, (byte) 0xc4, 0};
        byte[] ahead = { // drive 1: the available index 0x8000 ahead
                (byte) 0xca, 0x00, 0x03,
                (byte) 0xde, 0x00, (byte) 0x80,                     // the available index, outright
                (byte) 0xcc, 0, (byte) 0xcf, 0};
        byte[] pastTheHole = { // drive 0: a writable buffer from the end of the page past the hole, with EVENT_IDX and INDIRECT_DESC
                (byte) 0xc2, 0x03, 0x04,
                (byte) 0xe5, 0, (byte) 0xf0, 0x0f, 0, 1, 0, 0, 2, 0, // descriptor 0: HIGH + 0xff0, 256 bytes, WRITE
                (byte) 0xc6, 0, 0,
                (byte) 0xd4, (byte) 0xc7, 0};
        byte[] indirect = { // drive 1: an indirect table past the hole, filled with fuzz bytes
                (byte) 0xca, 0x12, 0x04,                            // INDIRECT_DESC, the table past the hole
                (byte) 0xd3, 0x00, 0x01, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                (byte) 0xcd, 0, 0x00, (byte) 0x80, 0x40, 0, 4, 0,   // descriptor 0: 0x8000, 64 bytes, INDIRECT
                (byte) 0xce, 0, 0,
                (byte) 0xcc, 0, (byte) 0xcf, 0};
        return List.of(read, write, loop, ahead, pastTheHole, indirect);
    }

    @Test
    void aMillionHostileAccessesLeaveTheHeapWhereItWas() throws IOException {
        try (Rig rig = new Rig(1)) {
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
            rig.checkInvariants();
            assertEquals(0, Rig.driveThreads(), "drive threads still running after their reset");
        }
    }

    private static long retainedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }
}
