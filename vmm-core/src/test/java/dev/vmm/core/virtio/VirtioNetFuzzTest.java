// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.fuzz.FuzzSeed;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static dev.vmm.fuzz.FuzzBytes.bytes;
import static dev.vmm.fuzz.FuzzBytes.u16;
import static dev.vmm.fuzz.FuzzBytes.u32;
import static dev.vmm.fuzz.FuzzBytes.u64;
import static dev.vmm.fuzz.FuzzBytes.u8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile virtio-net driver in fuzz bytes, against one device on a {@link MemoryPort}: raw
 * descriptors (any address, in a hole or past the end, any length and flags, loops), indirect
 * tables, available indexes that jump, notifications of either queue, used_event and the
 * no-interrupt flag, features (merged buffers, offloads, ring features) and queue sizes at each
 * bring-up, resets with frames in flight, link changes, and frames from the port of every length
 * and header (GSO types and checksum flags the driver did and did not accept). After each input:
 * the worker never failed (a guest address outside guest memory, an index out of bounds, anything
 * thrown, would show there), every frame the port got is 12 to 65562 bytes, no frame came from
 * nowhere, the reset left no thread, and the worker's heap allocation stayed small.
 */
@Tag("fuzz")
class VirtioNetFuzzTest {
    /** Guest memory: 2 MiB from 0, a hole, 64 KiB at 3 MiB. */
    private static final long LOW_END = 2 << 20, HIGH = 3 << 20, HIGH_SIZE = 64 << 10;
    private static final long[] RING = {0x0000, 0x4000};
    private static final long INDIRECT = 0x8000, DATA = 0x10000, SLOT = 0x10000;
    private static final int SLOTS = (int) ((LOW_END - DATA) / SLOT);
    private static final int[] SIZES = {1, 2, 4, 8, 16, 64, 256, 256};
    private static final long[] LENGTHS = {0, 1, 4, 11, 12, 13, 60, 100, 1000, 1514, 1526, 1527, 2048, 4096, 65550, 65562, 65563, 0x10000};
    /** Receive buffers as drivers post them: without merging (1526, 64 KiB), merged (pages, or less), and small. */
    private static final int[] RX_BUFFERS = {1526, 1526, 4096, 65562, 1500, 2048, 100, 60};
    private static final int[] FRAMES = {0, 1, 11, 12, 13, 60, 100, 1000, 1514, 1526, 1527, 4000, 9000, 65561, 65562, 65563, 70000};
    private static final long[] FEATURE_BITS = {NetDriver.MRG_RXBUF, NetDriver.GUEST_CSUM, NetDriver.GUEST_TSO4, NetDriver.GUEST_TSO6,
            NetDriver.GUEST_ECN, NetDriver.EVENT_IDX, NetDriver.INDIRECT_DESC, NetDriver.CSUM | NetDriver.HOST_TSO4 | NetDriver.HOST_TSO6};
    private static final long SETTLE_NANOS = TimeUnit.MICROSECONDS.toNanos(150), MAX_SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * One input against the device: a fresh transport and driver-side state. An input is a first
     * bring-up (feature bits, queue size code), then ops: a byte whose low 4 bits pick what (see
     * {@link #play}), bit 4 the queue (receive 0, transmit 1), bits 5 to 7 a variant, then its operands.
     */
    private static final class Rig {
        final GuestMemory memory;
        final VirtioNet device;
        final MemoryPort port;
        final NetDriver driver;
        final int[] availIdx = new int[2];
        int size = 16;
        long injected;
        long allocated;
        int broken;

        Rig(GuestMemory memory, VirtioNet device, MemoryPort port) {
            this.memory = memory;
            this.device = device;
            this.port = port;
            this.driver = new NetDriver(device, memory);
        }

        void play(byte[] input) {
            ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
            bringUp(u8(in), u8(in));
            Random content = new Random(input.length);
            while (in.hasRemaining()) {
                int op = u8(in);
                int queue = (op >> 4) & 1;
                switch (op & 0xf) {
                    case 0 -> descriptor(RING[queue], size, in);
                    case 1 -> publish(queue, (op & 0x20) != 0 ? u16(in) : u8(in) % size);
                    case 2 -> driver.write(NetDriver.QUEUE_NOTIFY, (op & 0x40) != 0 ? u8(in) : queue);
                    case 3 -> inject(in, content);
                    case 4 -> settle();
                    case 5 -> bringUp(u8(in), u8(in));
                    case 6 -> {
                        if ((op & 0x40) != 0) { // a pause for a snapshot (the held receive chains go back to the ring), and the resume
                            driver.mmio.pause();
                            driver.mmio.resume();
                        } else {
                            device.setLinkUp((op & 0x20) != 0);
                        }
                    }
                    case 7 -> { // the available index moved anywhere
                        availIdx[queue] = u16(in);
                        memory.writeU16(GuestAddress.of(RING[queue] + 16L * size + 2), availIdx[queue]);
                    }
                    case 8 -> descriptor(INDIRECT + 0x100L * ((op >> 5) & 7), 16, in);
                    case 9 -> { // used_event, or the avail flags (VIRTQ_AVAIL_F_NO_INTERRUPT)
                        long avail = RING[queue] + 16L * size;
                        memory.writeU16(GuestAddress.of((op & 0x20) != 0 ? avail : avail + 4 + 2L * size), u16(in));
                    }
                    case 10 -> { // bytes into a data slot: frame headers, say
                        long at = DATA + SLOT * (u8(in) % SLOTS) + u8(in);
                        memory.write(GuestAddress.of(at), bytes(in, 32));
                    }
                    default -> wellFormed(queue, in, content);
                }
            }
            settle();
        }

        /** A bring-up with features and queue size from the input: any subset of what is offered. */
        private void bringUp(int featureBits, int sizeCode) {
            stopWorker();
            long features = NetDriver.VERSION_1 | NetDriver.MAC | NetDriver.STATUS_FEATURE;
            for (int i = 0; i < FEATURE_BITS.length; i++) {
                if ((featureBits & (1 << i)) != 0) {
                    features |= FEATURE_BITS[i];
                }
            }
            size = SIZES[sizeCode & 7];
            memory.fill(GuestAddress.of(0), DATA, (byte) 0);
            availIdx[0] = 0;
            availIdx[1] = 0;
            assertTrue(driver.bringUp(size, features), "FEATURES_OK for offered features");
        }

        /** Adds up what the current worker allocated, then resets the device (which ends the worker). */
        void stopWorker() {
            if (driver.mmio.needsResetReason().isPresent()) {
                broken++;
            }
            Thread worker = device.workerThread();
            if (worker != null && worker.isAlive()) {
                allocated += Math.max(0, THREADS.getThreadAllocatedBytes(worker.threadId()));
            }
            driver.write(NetDriver.STATUS, 0);
            assertTrue(worker == null || !worker.isAlive(), "the reset waited for the worker");
        }

        /** Descriptor {@code index} of the table at {@code table} of {@code entries}: any address, length, flags and next. */
        private void descriptor(long table, int entries, ByteBuffer in) {
            int index = u8(in) % entries;
            int where = u8(in);
            long address = switch (where >> 5) {
                case 0, 1, 2, 3 -> DATA + SLOT * (where % SLOTS);
                case 4 -> INDIRECT + 0x100L * (where & 7); // an indirect table
                case 5 -> LOW_END - (where & 0x1f) * 8L;   // at the end of the first region
                case 6 -> HIGH + (where & 0x1f) * 0x800L;  // the second region, or the hole before it
                default -> u64(in);
            };
            int lengthCode = u8(in);
            long length = lengthCode < LENGTHS.length ? LENGTHS[lengthCode] : lengthCode < 0xf0 ? lengthCode * 16L : Integer.toUnsignedLong(u32(in));
            int flags = u8(in) & 7;
            int next = u8(in);
            TestDriver.descriptor(memory, GuestAddress.of(table), index, address, length, flags, next);
        }

        private void publish(int queue, int head) {
            long avail = RING[queue] + 16L * size;
            memory.writeU16(GuestAddress.of(avail + 4 + 2L * (availIdx[queue] % size)), head);
            availIdx[queue] = (availIdx[queue] + 1) & 0xffff;
            memory.writeU16(GuestAddress.of(avail + 2), availIdx[queue]);
        }

        /** A frame from the port: a length from the table or any, a header with flags and GSO type from the input. */
        private void inject(ByteBuffer in, Random content) {
            int code = u8(in);
            int length = code < FRAMES.length ? FRAMES[code] : code < 0xf0 ? code * 8 : u16(in) + (code & 1) * 0x10000;
            byte[] frame = new byte[length];
            content.nextBytes(frame);
            if (length >= 2) {
                frame[0] = (byte) (u8(in) & 7);
                int gso = u8(in);
                frame[1] = (byte) (gso < 0xc0 ? new int[] {0, 1, 3, 4, 5, 0x81, 0x84, 0}[gso & 7] : gso);
            }
            port.inject(frame);
            injected++;
        }

        /** A chain as Linux builds it: a frame to send, or a receive buffer to post; notified. */
        private void wellFormed(int queue, ByteBuffer in, Random content) {
            int index = u8(in) % size;
            int code = u8(in);
            int length = queue == NetDriver.RX ? RX_BUFFERS[code % RX_BUFFERS.length] : FRAMES[code % FRAMES.length];
            long address = DATA + SLOT * ((2 * index + queue) % SLOTS); // the two queues' buffers apart
            if (queue == NetDriver.TX) {
                byte[] frame = new byte[Math.min(length, (int) SLOT)];
                content.nextBytes(frame);
                memory.write(GuestAddress.of(address), frame);
            }
            TestDriver.descriptor(memory, GuestAddress.of(RING[queue]), index, address, Math.min(length, SLOT),
                    queue == NetDriver.RX ? TestDriver.WRITE : 0, 0);
            publish(queue, index);
            driver.write(NetDriver.QUEUE_NOTIFY, queue);
        }

        /** Waits until the device has nothing left to do: nothing it shows changed for a while (at most 200 ms). */
        void settle() {
            long deadline = System.nanoTime() + MAX_SETTLE_NANOS;
            String last = state();
            long stableSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                LockSupport.parkNanos(SETTLE_NANOS / 3);
                String now = state();
                if (!now.equals(last)) {
                    last = now;
                    stableSince = System.nanoTime();
                } else if (System.nanoTime() - stableSince >= SETTLE_NANOS) {
                    return;
                }
            }
        }

        private String state() {
            return driver.usedIdx(NetDriver.RX) + " " + driver.usedIdx(NetDriver.TX) + " " + device.counters() + " " + port.reads()
                    + " " + driver.read(NetDriver.STATUS);
        }
    }

    @Test
    void aHostileDriverNeverBreaksTheWorkerOrTheBounds() throws IOException {
        long eventFds = eventFds();
        long[] totals = new long[5]; // inputs, frames sent, frames received, frames dropped, devices broken
        long[] maxAllocated = {0};
        Fuzzer.Result result;
        try (GuestMemory memory = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), LOW_END),
                new GuestMemory.Range(GuestAddress.of(HIGH), HIGH_SIZE)))) {
            MemoryPort port = new MemoryPort();
            port.keepSent(false);
            try (VirtioNet device = new VirtioNet(port, MacAddress.parse("02:00:00:00:00:01"))) {
                result = Fuzzer.named("virtio-net").seeds(seeds()).inputs(500).maxLength(1024).run(input -> {
                    port.clear();
                    VirtioNet.Counters before = device.counters();
                    Rig rig = new Rig(memory, device, port);
                    try {
                        rig.play(input);
                    } finally {
                        rig.stopWorker(); // whatever happened
                    }
                    assertEquals(List.of(), rig.driver.deviceFailures, "the worker never fails, whatever the driver wrote");
                    VirtioNet.Counters after = device.counters();
                    List<Integer> sent = port.sentLengths();
                    for (int length : sent) {
                        assertTrue(length >= 12 && length <= VirtioNet.MAX_FRAME, length + "-byte frame sent");
                    }
                    assertEquals(after.txFrames() - before.txFrames(), sent.size(), "every frame counted as sent reached the port");
                    long received = after.rxFrames() - before.rxFrames(), dropped = after.rxDropped() - before.rxDropped();
                    assertTrue(received + dropped <= rig.injected, received + " + " + dropped + " frames from " + rig.injected + " injected");
                    assertEquals(0, VirtioNetTest.netThreads(), "the reset ended the worker");
                    totals[0]++;
                    totals[1] += sent.size();
                    totals[2] += received;
                    totals[3] += dropped + after.txDropped() - before.txDropped();
                    totals[4] += rig.broken;
                    maxAllocated[0] = Math.max(maxAllocated[0], rig.allocated);
                    long handled = after.txFrames() + after.txDropped() + after.rxFrames() + after.rxDropped()
                            - before.txFrames() - before.txDropped() - before.rxFrames() - before.rxDropped();
                    assertTrue(rig.allocated <= (2L << 20) + 16_384L * (input.length + handled),
                            rig.allocated + " bytes allocated by the workers of one input of " + input.length + " bytes, " + handled + " frames");
                });
            }
            assertTrue(port.closed(), "the device closed its port");
        }
        assertEquals(eventFds, eventFds(), "every eventfd closed: the workers' and the port's");
        System.out.printf(java.util.Locale.ROOT, "virtio-net: %d inputs, %d frames sent, %d received, %d dropped, %d devices broken,"
                + " at most %d KiB allocated by the workers of one input (%.0f inputs/s)%n",
                totals[0], totals[1], totals[2], totals[3], totals[4], maxAllocated[0] >> 10, result.perSecond());
        // Refusing everything would pass too: the inputs must reach both directions and the broken paths.
        assertTrue(totals[1] >= totals[0] / 4 && totals[2] >= totals[0] / 8 && totals[3] >= totals[0] / 4 && totals[4] >= totals[0] / 10,
                "too little reached the device: " + java.util.Arrays.toString(totals));
    }

    private static long eventFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("anon_inode:[eventfd]");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    /** Inputs as op streams (see {@link Rig#play}). */
    private static final class Ops extends FuzzSeed<Ops> {
        /** The first bring-up: feature bits (see FEATURE_BITS) and the queue size code. */
        Ops(int features, int sizeCode) {
            put(features, sizeCode);
        }

        Ops send(int index, int frameCode) {
            return put(11 | NetDriver.TX << 4, index, frameCode);
        }

        Ops receiveBuffer(int index, int bufferCode) {
            return put(11, index, bufferCode);
        }

        Ops inject(int frameCode, int flags, int gso) {
            return put(3, frameCode, flags, gso);
        }

        Ops settle() {
            return put(4);
        }
    }

    static List<byte[]> seeds() {
        int mtu = 9, tso = 14, small = 6, page = 2, big = 3; // indexes of FRAMES: 1526, 65562, 60; of RX_BUFFERS: 4096, 65562
        return List.of(
                // frames sent without offloads on a 256-entry queue, and frames received into single buffers
                new Ops(0x20, 6).send(0, small).send(1, mtu).receiveBuffer(0, mtu).receiveBuffer(1, mtu)
                        .inject(small, 0, 0).inject(8, 0, 0).settle().inject(5, 2, 0).receiveBuffer(2, mtu).bytes(),
                // merged buffers with receive TSO: a 64 KiB frame over 1526-byte buffers, and GSO types not agreed
                new Ops(0x67, 6).receiveBuffer(0, mtu).receiveBuffer(1, page).receiveBuffer(2, big).inject(tso, 1, 1)
                        .inject(10, 1, 4).inject(small, 1, 5).settle().send(0, tso).send(1, 16).bytes(),
                // a raw receive chain too small for the header, published and notified
                new Ops(0x01, 4).put(0, 0, 0, 3, 2, 0).put(1, 0).put(2).inject(small, 0, 0).settle().bytes(),
                // a transmit loop, then a reset and good traffic
                new Ops(0x00, 3).put(0x10, 0, 0, 8, 1, 1).put(0x10, 1, 1, 8, 1, 0).put(0x11, 0).put(0x12).settle()
                        .put(5, 0x01, 6).send(0, small).receiveBuffer(0, mtu).inject(small, 0, 0).bytes(),
                // a Linux-like receive ring without merged buffers: one 1526-byte buffer per frame, frames of every size
                new Ops(0x20, 5).receiveBuffer(0, mtu).receiveBuffer(1, mtu).receiveBuffer(2, mtu).receiveBuffer(3, mtu)
                        .inject(small, 0, 0).inject(8, 2, 0).inject(9, 0, 0).inject(10, 0, 0).inject(7, 0, 0).settle()
                        .receiveBuffer(4, mtu).receiveBuffer(5, mtu).inject(5, 0, 0).settle().bytes(),
                // merged page-sized buffers with checksum offload: frames over one, two and three of them
                new Ops(0x23, 6).receiveBuffer(0, page).receiveBuffer(1, page).receiveBuffer(2, page).receiveBuffer(3, page)
                        .receiveBuffer(4, page).inject(11, 1, 0).inject(12, 0, 0).inject(small, 2, 0).settle().bytes(),
                // an indirect table on the transmit queue, links going down and up
                new Ops(0x60, 5).put(8 | 0x20, 0, 3, 8, 1, 1).put(8 | 0x20, 1, 4, 100, 0, 0).put(0x10, 0, 0x81, 32, 4, 0)
                        .put(0x11, 0).put(0x12).put(6).put(6 | 0x20).settle().bytes());
    }
}
