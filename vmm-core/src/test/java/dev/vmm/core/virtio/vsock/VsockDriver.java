// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.virtio.MmioDriver;
import dev.vmm.core.virtio.TestDriver;
import dev.vmm.core.virtio.VirtioDevice;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A virtio-vsock driver for tests, as Linux's virtio_transport drives the device: bring-up of the
 * three queues through virtio-mmio registers ({@link MmioDriver}), the receive queue kept full of
 * buffers, each packet sent as one chain on the transmit queue, and what the device put in the
 * receive queue read back as packets. Ops and the header layout are spelled out from the spec
 * (virtio 1.2, 5.10), not taken from the device; waits end on the interrupt, or after 10 ms at
 * most (the host's sockets interrupt nobody).
 */
final class VsockDriver extends MmioDriver {
    static final int REQUEST = 1, RESPONSE = 2, RST = 3, SHUTDOWN = 4, RW = 5, CREDIT_UPDATE = 6, CREDIT_REQUEST = 7;
    static final int SHUTDOWN_RCV = 1, SHUTDOWN_SEND = 2;
    static final long HOST = 2;
    static final int HEADER = 44;
    /** Where the driver's own buffers start: the rings and the event buffers are below. */
    static final long BUFFERS = 0x40000;
    static final int RXQ = 0, TXQ = 1, EVQ = 2;
    /** The guest memory a driver needs. */
    static final long MEMORY = 16 << 20;
    static final int SIZE = 64;
    static final int NEXT = 1, WRITE = 2, INDIRECT = 4;
    private static final long SLOT = 0x11000; // a whole packet of 64 KiB and its header
    private static final long RX_SLOTS = 0x100000, TX_SLOTS = 0x800000;
    /** Where the four event buffers, of 8 bytes each, are. */
    static final long EVENTS = 0x3c000;

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

    final long cid;
    private final ArrayDeque<Integer> freeTx = new ArrayDeque<>();
    private final List<Packet> received = new ArrayList<>();
    private final TestDriver[] rings = new TestDriver[3];
    private final int[] usedSeen = new int[3];
    private int rxLength;
    private int transmitted; // chains put in the transmit queue since the bring-up
    /** Whether used RX buffers go straight back to the device. */
    boolean refill = true;
    private final ArrayDeque<Integer> heldRx = new ArrayDeque<>();

    VsockDriver(VirtioDevice device, GuestMemory memory, long cid) {
        super(device, memory, TimeUnit.MILLISECONDS.toNanos(10));
        this.cid = cid;
    }

    /** Linux's bring-up: the three queues of {@link #SIZE}, {@code rxBuffers} receive buffers of {@code rxLength} bytes each offered. */
    boolean bringUp(long features, int rxBuffers, int rxLength) {
        if (!negotiate(features)) {
            return false;
        }
        memory.fill(GuestAddress.of(0), RX_SLOTS, (byte) 0);
        for (int q = 0; q < 3; q++) {
            rings[q] = TestDriver.at(memory, SIZE, 0x10000L * q);
            setUpQueue(q, rings[q]);
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
        driverOk();
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

    /** The bytes of the event in used entry {@code i} of the event queue, as many as its used length says. */
    byte[] event(int i) {
        long[] used = usedElement(EVQ, i);
        return memory.read(GuestAddress.of(EVENTS + 8 * used[0]), (int) used[1]);
    }

    /** Writes descriptor {@code index} of queue {@code q}'s table. */
    void descriptor(int q, int index, long address, long length, int flags, int next) {
        rings[q].descriptor(index, address, length, flags, next);
    }

    /** Puts {@code head} in queue {@code q}'s next available entry and moves the index past it (no notification). */
    void publish(int q, int head) {
        rings[q].publish(head);
    }

    void setUsedEvent(int q, int index) {
        rings[q].setUsedEvent(index);
    }

    /** Moves queue {@code q}'s available index to {@code idx}, whatever the ring holds. */
    void setAvailIdx(int q, int idx) {
        rings[q].setAvailIdx(idx);
    }

    int availIdx(int q) {
        return rings[q].availIdx();
    }

    int usedIdx(int q) {
        return rings[q].usedIdx();
    }

    /** The id and the length of used ring entry {@code i} of queue {@code q}. */
    long[] usedElement(int q, int i) {
        return rings[q].usedElement(i);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
