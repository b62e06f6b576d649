// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A virtio-net driver for tests, as Linux's virtio_mmio and virtio_net drive the device: bring-up
 * of the receive queue (0) and the transmit queue (1) through the registers ({@link MmioDriver}), receive buffers
 * posted as chains of device-writable descriptors, frames sent as chains of readable ones, and
 * completion awaited on the interrupt (with VIRTIO_F_EVENT_IDX, used_event asks for it). Numbers
 * are spelled out from the spec (virtio 1.2, 4.2.2 and 5.1), not taken from the device.
 */
final class NetDriver extends MmioDriver {
    static final long CSUM = 1L << 0, GUEST_CSUM = 1L << 1, MAC = 1L << 5, GUEST_TSO4 = 1L << 7, GUEST_TSO6 = 1L << 8,
            GUEST_ECN = 1L << 9, HOST_TSO4 = 1L << 11, HOST_TSO6 = 1L << 12, HOST_ECN = 1L << 13, MRG_RXBUF = 1L << 15,
            STATUS_FEATURE = 1L << 16;
    static final long OFFLOADS = CSUM | GUEST_CSUM | GUEST_TSO4 | GUEST_TSO6 | GUEST_ECN | HOST_TSO4 | HOST_TSO6 | HOST_ECN;
    /** What Linux 6.x accepts of a device that offers everything here, but merged receive buffers. */
    static final long LINUX = VERSION_1 | INDIRECT_DESC | EVENT_IDX | MAC | STATUS_FEATURE | OFFLOADS;
    static final int RX = 0, TX = 1;
    static final int HEADER = 12;
    /** Where the rings, the indirect tables and the two directions' buffers live. */
    static final long RX_RING = 0x0, TX_RING = 0x4000, INDIRECT = 0x10000, RX_DATA = 0x100000, TX_DATA = 0x800000, DATA_END = 0x1000000;

    /** One descriptor: {@code length} bytes at {@code address}. */
    record Segment(long address, int length) {
    }

    /** A chain made available: its head and its buffers in chain order. */
    record Chain(int head, List<Segment> segments) {
        int length() {
            return segments.stream().mapToInt(Segment::length).sum();
        }
    }

    private final TestDriver[] rings = new TestDriver[2];
    private final int[] nextDescriptor = new int[2];
    private final int[] published = new int[2];
    private final long[] nextData = new long[2];
    private int nextIndirect;
    private long features;

    NetDriver(VirtioDevice device, GuestMemory memory) {
        super(device, memory);
    }

    /** Linux's bring-up with both queues of {@code size}; false when the device refused the features. */
    boolean bringUp(int size, long features) {
        if (!negotiate(features)) {
            return false;
        }
        this.features = features;
        memory.fill(GuestAddress.of(0), INDIRECT, (byte) 0); // fresh rings
        for (int q : new int[] {RX, TX}) {
            rings[q] = TestDriver.at(memory, size, q == RX ? RX_RING : TX_RING);
            setUpQueue(q, rings[q]);
            nextDescriptor[q] = 0;
            published[q] = 0;
            nextData[q] = q == RX ? RX_DATA : TX_DATA;
        }
        nextIndirect = 0;
        driverOk();
        return true;
    }

    /** A receive chain of writable buffers of these lengths (filled with 0xee, which the device must overwrite), not yet posted. */
    Chain receiveChain(int... lengths) {
        List<Segment> segments = new ArrayList<>();
        for (int length : lengths) {
            byte[] junk = new byte[length];
            java.util.Arrays.fill(junk, (byte) 0xee);
            segments.add(buffer(RX, junk));
        }
        return chain(RX, segments, true, false);
    }

    /** A transmit chain holding {@code frame} in {@code pieces} readable buffers, through an indirect table when asked; not yet sent. */
    Chain transmitChain(byte[] frame, int pieces, boolean indirect) {
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < pieces; i++) {
            int from = frame.length * i / pieces, to = frame.length * (i + 1) / pieces;
            segments.add(buffer(TX, java.util.Arrays.copyOfRange(frame, from, to)));
        }
        return chain(TX, segments, false, indirect);
    }

    /** Posts receive chains and notifies the receive queue. */
    void post(Chain... chains) {
        publish(RX, chains);
        write(QUEUE_NOTIFY, RX);
    }

    /** Makes transmit chains available and notifies, asking for an interrupt once the last is used. */
    void send(Chain... chains) {
        rings[TX].setUsedEvent(published[TX] + chains.length - 1);
        publish(TX, chains);
        write(QUEUE_NOTIFY, TX);
    }

    void publish(int queue, Chain... chains) {
        published[queue] += chains.length;
        for (Chain c : chains) {
            rings[queue].publish(c.head());
        }
    }

    /** Sends {@code frames}, each in one buffer, and waits until all are used. */
    void transmit(byte[]... frames) {
        Chain[] chains = new Chain[frames.length];
        for (int i = 0; i < frames.length; i++) {
            chains[i] = transmitChain(frames[i], 1, false);
        }
        send(chains);
        awaitUsed(TX, published[TX]);
    }

    /** Waits, on the interrupt, until queue {@code queue}'s used index reaches {@code count}. */
    void awaitUsed(int queue, int count) {
        rings[queue].setUsedEvent(count - 1); // as virtqueue_enable_cb_delayed would: one interrupt when the last comes
        await(() -> usedIdx(queue) == (count & 0xffff), "the device to use " + count + " chains of queue " + queue);
    }

    @Override
    protected String progress() {
        return ", used indexes " + usedIdx(RX) + " and " + usedIdx(TX);
    }

    /** Polls {@code done} every millisecond, for what raises no interrupt (a frame dropped), failing after the timeout. */
    static void eventually(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Waited " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS) + " s for " + what);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** Interrupts raised and not yet awaited. */
    int pendingInterrupts() {
        return interrupts.availablePermits();
    }

    int usedIdx(int queue) {
        return rings[queue].usedIdx();
    }

    int published(int queue) {
        return published[queue];
    }

    /** The id and length of used ring entry {@code i} of {@code queue}. */
    long[] usedElement(int queue, int i) {
        return rings[queue].usedElement(i);
    }

    /** The first {@code length} bytes the device wrote into {@code chain}'s buffers. */
    byte[] received(Chain chain, int length) {
        ByteBuffer all = ByteBuffer.allocate(length);
        for (Segment s : chain.segments()) {
            int n = Math.min(s.length(), all.remaining());
            all.put(memory.read(GuestAddress.of(s.address()), n));
        }
        return all.array();
    }

    /** A buffer of guest memory in {@code queue}'s data area holding {@code content}; the area is reused from its start when full. */
    Segment buffer(int queue, byte[] content) {
        long start = queue == RX ? RX_DATA : TX_DATA, end = queue == RX ? TX_DATA : DATA_END;
        if (nextData[queue] + content.length > end) {
            nextData[queue] = start;
        }
        Segment s = new Segment(nextData[queue], content.length);
        memory.write(GuestAddress.of(nextData[queue]), content);
        nextData[queue] = (nextData[queue] + content.length + 15) & ~15L;
        return s;
    }

    /** Descriptors for {@code segments} in {@code queue}'s table (taken in turn, wrapping) or in an indirect table. */
    Chain chain(int queue, List<Segment> segments, boolean writable, boolean indirect) {
        TestDriver ring = rings[queue];
        int flags = writable ? TestDriver.WRITE : 0;
        if (indirect) {
            GuestAddress table = GuestAddress.of(INDIRECT + 0x100L * (nextIndirect++ % 256));
            for (int i = 0; i < segments.size(); i++) {
                boolean last = i == segments.size() - 1;
                TestDriver.descriptor(memory, table, i, segments.get(i).address(), segments.get(i).length(), flags | (last ? 0 : TestDriver.NEXT), last ? 0 : i + 1);
            }
            int head = nextDescriptor[queue]++ % ring.size;
            ring.descriptor(head, table.value(), 16L * segments.size(), TestDriver.INDIRECT, 0);
            return new Chain(head, List.copyOf(segments));
        }
        int head = nextDescriptor[queue] % ring.size;
        for (int i = 0; i < segments.size(); i++) {
            int index = (nextDescriptor[queue] + i) % ring.size;
            boolean last = i == segments.size() - 1;
            ring.descriptor(index, segments.get(i).address(), segments.get(i).length(), flags | (last ? 0 : TestDriver.NEXT),
                    last ? 0 : (index + 1) % ring.size);
        }
        nextDescriptor[queue] += segments.size();
        return new Chain(head, List.copyOf(segments));
    }

    TestDriver ring(int queue) {
        return rings[queue];
    }

    /** A frame of {@code length} bytes, vnet header first (zeros but {@code gsoType} and {@code flags}), then bytes from {@code seed}. */
    static byte[] frame(int length, int seed, int flags, int gsoType) {
        byte[] f = new byte[length];
        new java.util.Random(seed).nextBytes(f);
        java.util.Arrays.fill(f, 0, Math.min(HEADER, length), (byte) 0);
        if (length >= 2) {
            f[0] = (byte) flags;
            f[1] = (byte) gsoType;
        }
        return f;
    }

    static byte[] frame(int length, int seed) {
        return frame(length, seed, 0, 0);
    }

    /** The header's num_buffers of a received frame. */
    static int numBuffers(byte[] received) {
        return (received[10] & 0xff) | (received[11] & 0xff) << 8;
    }
}
