// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.virtio.VirtioDevice;
import dev.vmm.core.virtio.VirtioMmio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A virtio-vsock driver for tests, as Linux's virtio_transport drives the device: bring-up of the
 * three queues through virtio-mmio registers, the receive queue kept full of buffers, each packet
 * sent as one chain on the transmit queue, and what the device put in the receive queue read back
 * as packets. Offsets, ops and the header layout are spelled out from the spec (virtio 1.2, 4.2.2
 * and 5.10), not taken from the device; waits end on the interrupt, never on a sleep.
 */
final class VsockDriver {
    static final int REQUEST = 1, RESPONSE = 2, RST = 3, SHUTDOWN = 4, RW = 5, CREDIT_UPDATE = 6, CREDIT_REQUEST = 7;
    static final int SHUTDOWN_RCV = 1, SHUTDOWN_SEND = 2;
    static final long HOST = 2;
    static final int HEADER = 44;
    static final long VERSION_1 = 1L << 32, INDIRECT_DESC = 1L << 28, EVENT_IDX = 1L << 29;
    /** Where the driver's own buffers start: the rings and the event buffers are below. */
    static final long BUFFERS = 0x40000;
    static final int DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020,
            DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044,
            QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, STATUS = 0x070, QUEUE_DESC_LOW = 0x080, QUEUE_DRIVER_LOW = 0x090,
            QUEUE_DEVICE_LOW = 0x0a0, CONFIG = 0x100;
    static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, DEVICE_NEEDS_RESET = 0x40;
    static final int RXQ = 0, TXQ = 1, EVQ = 2;
    /** Generous: the machine is shared, and a wait ends as soon as the interrupt comes. */
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** The guest memory a driver needs. */
    static final long MEMORY = 16 << 20;
    static final int SIZE = 64;
    static final int NEXT = 1, WRITE = 2, INDIRECT = 4;
    private static final long SLOT = 0x11000; // a whole packet of 64 KiB and its header
    private static final long RX_SLOTS = 0x100000, TX_SLOTS = 0x800000, EVENTS = 0x3c000;

    /** A packet, its header as the spec lays it out. */
    record Packet(long srcCid, long dstCid, int srcPort, int dstPort, int len, int type, int op, int flags, int bufAlloc, int fwdCnt, byte[] data) {
        static Packet of(long srcCid, long dstCid, int srcPort, int dstPort, int op, int flags, int bufAlloc, int fwdCnt, byte[] data) {
            return new Packet(srcCid, dstCid, srcPort, dstPort, data.length, 1, op, flags, bufAlloc, fwdCnt, data);
        }

        byte[] header() {
            return ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN).putLong(0, srcCid).putLong(8, dstCid).putInt(16, srcPort)
                    .putInt(20, dstPort).putInt(24, len).putShort(28, (short) type).putShort(30, (short) op).putInt(32, flags)
                    .putInt(36, bufAlloc).putInt(40, fwdCnt).array();
        }

        static Packet parse(byte[] header, byte[] data) {
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            return new Packet(h.getLong(0), h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24), h.getShort(28) & 0xffff,
                    h.getShort(30) & 0xffff, h.getInt(32), h.getInt(36), h.getInt(40), data);
        }

        @Override
        public String toString() {
            return "op " + op + " " + srcCid + ":" + Integer.toUnsignedString(srcPort) + " -> " + dstCid + ":" + Integer.toUnsignedString(dstPort)
                    + " len " + len + " flags " + flags + " buf_alloc " + Integer.toUnsignedString(bufAlloc) + " fwd_cnt " + Integer.toUnsignedString(fwdCnt);
        }
    }

    final GuestMemory memory;
    final VirtioMmio mmio;
    final List<Throwable> deviceFailures = new CopyOnWriteArrayList<>();
    final long cid;
    private final Semaphore interrupts = new Semaphore(0);
    private final ArrayDeque<Integer> freeTx = new ArrayDeque<>();
    private final List<Packet> received = new ArrayList<>();
    private long[] rings; // per queue: descriptor table, available ring, used ring
    private final int[] availIdx = new int[3];
    private final int[] usedSeen = new int[3];
    private int rxLength;
    private int transmitted; // chains put in the transmit queue since the bring-up
    /** Whether used RX buffers go straight back to the device. */
    boolean refill = true;
    private final ArrayDeque<Integer> heldRx = new ArrayDeque<>();

    VsockDriver(VirtioDevice device, GuestMemory memory, long cid) {
        this.memory = memory;
        this.cid = cid;
        this.mmio = new VirtioMmio(device, memory, interrupts::release, deviceFailures::add);
    }

    /** Linux's bring-up: the three queues of {@link #SIZE}, {@code rxBuffers} receive buffers of {@code rxLength} bytes each offered. */
    boolean bringUp(long features, int rxBuffers, int rxLength) {
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
        memory.fill(GuestAddress.of(0), RX_SLOTS, (byte) 0);
        rings = new long[9];
        for (int q = 0; q < 3; q++) {
            long base = 0x10000L * q;
            rings[3 * q] = base;
            rings[3 * q + 1] = base + 16L * SIZE;
            rings[3 * q + 2] = (base + 16L * SIZE + 6 + 2L * SIZE + 2 + 3) & ~3L;
            write(QUEUE_SEL, q);
            write(QUEUE_NUM, SIZE);
            write(QUEUE_DESC_LOW, (int) rings[3 * q]);
            write(QUEUE_DRIVER_LOW, (int) rings[3 * q + 1]);
            write(QUEUE_DEVICE_LOW, (int) rings[3 * q + 2]);
            write(QUEUE_READY, 1);
            availIdx[q] = 0;
            usedSeen[q] = 0;
        }
        this.rxLength = rxLength;
        freeTx.clear();
        transmitted = 0;
        heldRx.clear();
        received.clear();
        for (int i = 0; i < SIZE; i++) {
            freeTx.add(i);
            descriptor(RXQ, i, RX_SLOTS + SLOT * i, rxLength, WRITE, 0);
        }
        for (int i = 0; i < 4; i++) {
            descriptor(EVQ, i, EVENTS + 8L * i, 8, WRITE, 0);
            publish(EVQ, i);
        }
        write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
        for (int i = 0; i < SIZE; i++) {
            if (i < rxBuffers) {
                publish(RXQ, i);
            } else {
                heldRx.add(i);
            }
        }
        write(QUEUE_NOTIFY, RXQ);
        write(QUEUE_NOTIFY, EVQ);
        return true;
    }

    boolean bringUp() {
        return bringUp(VERSION_1 | EVENT_IDX | INDIRECT_DESC, SIZE, HEADER + 4096);
    }

    /** Offers {@code count} more receive buffers of those held back. */
    void offerRx(int count) {
        for (int i = 0; i < count && !heldRx.isEmpty(); i++) {
            publish(RXQ, heldRx.poll());
        }
        write(QUEUE_NOTIFY, RXQ);
    }

    /** Sends {@code p} as one chain (header and payload in one buffer), waiting for a free descriptor if need be. */
    void send(Packet p) {
        sendRaw(concat(p.header(), p.data()));
    }

    /** Sends {@code bytes} as the readable buffer of one chain. */
    void sendRaw(byte[] bytes) {
        publishTx(bytes);
        write(QUEUE_NOTIFY, TXQ);
    }

    /** Puts a packet in the transmit queue without notifying. */
    void publishTx(byte[] bytes) {
        await(() -> {
            reclaimTx();
            return !freeTx.isEmpty();
        }, "a free transmit descriptor");
        int d = freeTx.poll();
        memory.write(GuestAddress.of(TX_SLOTS + SLOT * d), bytes);
        descriptor(TXQ, d, TX_SLOTS + SLOT * d, bytes.length, 0, 0);
        publish(TXQ, d);
        transmitted++;
    }

    /** Waits until the device took every packet sent. */
    void awaitTransmitted() {
        await(() -> usedIdx(TXQ) == (transmitted & 0xffff), "the device to take " + transmitted + " packets");
    }

    void notifyTx() {
        write(QUEUE_NOTIFY, TXQ);
    }

    /** A raw chain of one buffer on queue {@code q}, for malformed ones: {@code length} bytes, device-writable or not. */
    void rawChain(int q, int descriptorIndex, int length, boolean writable) {
        long address = (q == TXQ ? TX_SLOTS : RX_SLOTS) + SLOT * descriptorIndex;
        descriptor(q, descriptorIndex, address, length, writable ? WRITE : 0, 0);
        publish(q, descriptorIndex);
        write(QUEUE_NOTIFY, q);
    }

    private void reclaimTx() {
        int used = usedIdx(TXQ);
        while (usedSeen[TXQ] != used) {
            long[] e = usedElement(TXQ, usedSeen[TXQ]);
            assertEquals(0, e[1], "a transmit chain comes back with nothing written");
            freeTx.add((int) e[0]);
            usedSeen[TXQ] = (usedSeen[TXQ] + 1) & 0xffff;
        }
        setUsedEvent(TXQ, usedSeen[TXQ]);
    }

    /** Reads what the device put in the receive queue since the last call, giving the buffers back when {@link #refill}. */
    List<Packet> receive() {
        List<Packet> packets = new ArrayList<>();
        int used = usedIdx(RXQ);
        boolean gaveBack = false;
        while (usedSeen[RXQ] != used) {
            long[] e = usedElement(RXQ, usedSeen[RXQ]);
            int id = (int) e[0];
            long address = RX_SLOTS + SLOT * id;
            assertTrue(e[1] >= HEADER && e[1] <= rxLength, "used length " + e[1] + " of a buffer of " + rxLength);
            Packet p = Packet.parse(memory.read(GuestAddress.of(address), HEADER), memory.read(GuestAddress.of(address + HEADER), (int) e[1] - HEADER));
            assertEquals(e[1] - HEADER, p.len(), "the used length is the header and the payload: " + p);
            assertEquals(HOST, p.srcCid(), p.toString());
            assertEquals(cid, p.dstCid(), p.toString());
            assertEquals(1, p.type(), p.toString());
            packets.add(p);
            usedSeen[RXQ] = (usedSeen[RXQ] + 1) & 0xffff;
            memory.fill(GuestAddress.of(address), HEADER, (byte) 0);
            if (refill) {
                publish(RXQ, id);
                gaveBack = true;
            } else {
                heldRx.add(id);
            }
        }
        setUsedEvent(RXQ, usedSeen[RXQ]);
        if (gaveBack) {
            write(QUEUE_NOTIFY, RXQ);
        }
        received.addAll(packets);
        return packets;
    }

    /** Waits for a packet that matches, taking it out of what was received; the ones before it stay. */
    Packet await(Predicate<Packet> match, String what) {
        Packet[] found = {null};
        await(() -> {
            receive();
            for (int i = 0; i < received.size(); i++) {
                if (match.test(received.get(i))) {
                    found[0] = received.remove(i);
                    return true;
                }
            }
            return false;
        }, what + " (received: " + received + ")");
        return found[0];
    }

    /** Takes every packet received and not yet taken. */
    List<Packet> drain() {
        receive();
        List<Packet> all = List.copyOf(received);
        received.clear();
        return all;
    }

    /** Waits, on interrupts and at most 10 ms at a time (the host's sockets interrupt nobody), until {@code done}. */
    void await(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        try {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("Waited " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS) + " s for " + what + ", status 0x" + Integer.toHexString(read(STATUS)));
                }
                interrupts.tryAcquire(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    /** {@return whether an interrupt came within {@code nanos}} */
    boolean awaitInterrupt(long nanos) {
        try {
            return interrupts.tryAcquire(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@return what the device wrote in the event buffers: nothing, ever} */
    boolean eventsUntouched() {
        return usedIdx(EVQ) == 0 && Arrays.equals(new byte[32], memory.read(GuestAddress.of(EVENTS), 32));
    }

    long offeredFeatures() {
        write(DEVICE_FEATURES_SEL, 1);
        long high = Integer.toUnsignedLong(read(DEVICE_FEATURES));
        write(DEVICE_FEATURES_SEL, 0);
        return high << 32 | Integer.toUnsignedLong(read(DEVICE_FEATURES));
    }

    ByteBuffer config(int offset, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; i++) {
            byte[] one = {-1};
            mmio.read(CONFIG + offset + i, one);
            b.put(i, one[0]);
        }
        return b;
    }

    /** Writes descriptor {@code index} of queue {@code q}'s table. */
    void descriptor(int q, int index, long address, long length, int flags, int next) {
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, address).putInt(8, (int) length)
                .putShort(12, (short) flags).putShort(14, (short) next);
        memory.write(GuestAddress.of(rings[3 * q] + 16L * index), d.array());
    }

    /** Puts {@code head} in queue {@code q}'s next available entry and moves the index past it (no notification). */
    void publish(int q, int head) {
        long avail = rings[3 * q + 1];
        memory.writeU16(GuestAddress.of(avail + 4 + 2L * (availIdx[q] % SIZE)), head);
        availIdx[q] = (availIdx[q] + 1) & 0xffff;
        memory.writeU16(GuestAddress.of(avail + 2), availIdx[q]);
    }

    void setUsedEvent(int q, int index) {
        memory.writeU16(GuestAddress.of(rings[3 * q + 1] + 4 + 2L * SIZE), index);
    }

    /** Moves queue {@code q}'s available index to {@code idx}, whatever the ring holds. */
    void setAvailIdx(int q, int idx) {
        availIdx[q] = idx & 0xffff;
        memory.writeU16(GuestAddress.of(rings[3 * q + 1] + 2), availIdx[q]);
    }

    int availIdx(int q) {
        return availIdx[q];
    }

    int usedIdx(int q) {
        return memory.readU16(GuestAddress.of(rings[3 * q + 2] + 2));
    }

    /** The id and the length of used ring entry {@code i} of queue {@code q}. */
    long[] usedElement(int q, int i) {
        long element = rings[3 * q + 2] + 4 + 8L * (i % SIZE);
        return new long[] {memory.readU32(GuestAddress.of(element)), memory.readU32(GuestAddress.of(element + 4))};
    }

    int read(int offset) {
        byte[] data = {-1, -1, -1, -1};
        mmio.read(offset, data);
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    void write(int offset, int value) {
        mmio.write(offset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value).array());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
