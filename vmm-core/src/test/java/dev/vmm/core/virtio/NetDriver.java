// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A virtio-net driver for tests, as Linux's virtio_mmio and virtio_net drive the device: bring-up
 * of the receive queue (0) and the transmit queue (1) through the registers, receive buffers
 * posted as chains of device-writable descriptors, frames sent as chains of readable ones, and
 * completion awaited on the interrupt (with VIRTIO_F_EVENT_IDX, used_event asks for it). Numbers
 * are spelled out from the spec (virtio 1.2, 4.2.2 and 5.1), not taken from the device.
 */
final class NetDriver {
    static final long VERSION_1 = 1L << 32, INDIRECT_DESC = 1L << 28, EVENT_IDX = 1L << 29;
    static final long CSUM = 1L << 0, GUEST_CSUM = 1L << 1, MAC = 1L << 5, GUEST_TSO4 = 1L << 7, GUEST_TSO6 = 1L << 8,
            GUEST_ECN = 1L << 9, HOST_TSO4 = 1L << 11, HOST_TSO6 = 1L << 12, HOST_ECN = 1L << 13, MRG_RXBUF = 1L << 15,
            STATUS_FEATURE = 1L << 16;
    static final long OFFLOADS = CSUM | GUEST_CSUM | GUEST_TSO4 | GUEST_TSO6 | GUEST_ECN | HOST_TSO4 | HOST_TSO6 | HOST_ECN;
    /** What Linux 6.x accepts of a device that offers everything here, but merged receive buffers. */
    static final long LINUX = VERSION_1 | INDIRECT_DESC | EVENT_IDX | MAC | STATUS_FEATURE | OFFLOADS;
    static final int DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020,
            DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044,
            QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070, QUEUE_DESC_LOW = 0x080,
            QUEUE_DRIVER_LOW = 0x090, QUEUE_DEVICE_LOW = 0x0a0, CONFIG_GENERATION = 0x0fc, CONFIG = 0x100;
    static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, DEVICE_NEEDS_RESET = 0x40;
    static final int RX = 0, TX = 1;
    static final int HEADER = 12;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
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

    final GuestMemory memory;
    final VirtioMmio mmio;
    final List<Throwable> deviceFailures = new CopyOnWriteArrayList<>();
    private final Semaphore interrupts = new Semaphore(0);
    private final TestDriver[] rings = new TestDriver[2];
    private final int[] nextDescriptor = new int[2];
    private final int[] published = new int[2];
    private final long[] nextData = new long[2];
    private int nextIndirect;
    private long features;

    NetDriver(VirtioDevice device, GuestMemory memory) {
        this.memory = memory;
        this.mmio = new VirtioMmio(device, memory, interrupts::release, deviceFailures::add);
    }

    /** Linux's bring-up with both queues of {@code size}; false when the device refused the features. */
    boolean bringUp(int size, long features) {
        write(STATUS, 0);
        write(STATUS, ACKNOWLEDGE);
        write(STATUS, ACKNOWLEDGE | DRIVER);
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, (int) (features >>> 32));
        write(DRIVER_FEATURES_SEL, 0);
        write(DRIVER_FEATURES, (int) features);
        write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
        if ((read(STATUS) & FEATURES_OK) == 0) {
            return false;
        }
        this.features = features;
        memory.fill(GuestAddress.of(0), INDIRECT, (byte) 0); // fresh rings
        for (int q : new int[] {RX, TX}) {
            rings[q] = TestDriver.at(memory, size, q == RX ? RX_RING : TX_RING);
            write(QUEUE_SEL, q);
            write(QUEUE_NUM, size);
            write(QUEUE_DESC_LOW, (int) rings[q].desc.value());
            write(QUEUE_DRIVER_LOW, (int) rings[q].avail.value());
            write(QUEUE_DEVICE_LOW, (int) rings[q].used.value());
            write(QUEUE_READY, 1);
            nextDescriptor[q] = 0;
            published[q] = 0;
            nextData[q] = q == RX ? RX_DATA : TX_DATA;
        }
        nextIndirect = 0;
        write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
        return true;
    }

    long offeredFeatures() {
        write(DEVICE_FEATURES_SEL, 1);
        long high = Integer.toUnsignedLong(read(DEVICE_FEATURES));
        write(DEVICE_FEATURES_SEL, 0);
        return high << 32 | Integer.toUnsignedLong(read(DEVICE_FEATURES));
    }

    /** {@code length} bytes of the configuration space from {@code offset}, one byte at a time. */
    ByteBuffer config(int offset, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; i++) {
            byte[] one = {-1};
            mmio.read(CONFIG + offset + i, one);
            b.put(i, one[0]);
        }
        return b;
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

    /** Waits for an interrupt until {@code done}, failing after the timeout. */
    void await(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        try {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !interrupts.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    fail("Waited " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS) + " s for " + what + ": used indexes "
                            + usedIdx(RX) + " and " + usedIdx(TX) + ", status 0x" + Integer.toHexString(read(STATUS)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
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

    int read(int offset) {
        byte[] data = {-1, -1, -1, -1};
        mmio.read(offset, data);
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    void write(int offset, int value) {
        mmio.write(offset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value).array());
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
