// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;

/**
 * The driver's side of one split virtqueue in guest memory, laid out as Linux's virtio_ring does
 * (descriptor table, available ring right after it, used ring at the next multiple of 4), for
 * tests that build rings by hand, and for the test drivers' queues. Written from the spec, not
 * from {@link Virtqueue}. Public for the vsock tests, in a subpackage.
 */
public final class TestDriver {
    public static final int NEXT = 1, WRITE = 2, INDIRECT = 4;

    final GuestMemory memory;
    final int size;
    final GuestAddress desc;
    final GuestAddress avail;
    final GuestAddress used;
    private int availIdx;

    TestDriver(GuestMemory memory, int size, GuestAddress desc, GuestAddress avail, GuestAddress used) {
        this.memory = memory;
        this.size = size;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
    }

    /** A queue of {@code size} whose three parts start at {@code base}, one after the other. */
    public static TestDriver at(GuestMemory memory, int size, long base) {
        long avail = base + 16L * size;
        long used = (avail + 6 + 2L * size + 3) & ~3L;
        return new TestDriver(memory, size, GuestAddress.of(base), GuestAddress.of(avail), GuestAddress.of(used));
    }

    /** A queue object for these rings, enabled and activated with {@code features}. */
    Virtqueue queue(int maxSize, long features) throws VirtqueueException {
        Virtqueue queue = new Virtqueue(maxSize);
        queue.setSize(size);
        queue.setDescriptorTable(desc);
        queue.setAvailRing(avail);
        queue.setUsedRing(used);
        queue.setReady(true);
        queue.activate(memory, features);
        return queue;
    }

    public TestDriver descriptor(int index, long address, long length, int flags, int next) {
        descriptor(memory, desc, index, address, length, flags, next);
        return this;
    }

    /** Writes descriptor {@code index} of the table at {@code table} (the queue's or an indirect one). */
    static void descriptor(GuestMemory memory, GuestAddress table, int index, long address, long length, int flags, int next) {
        byte[] d = new byte[16];
        for (int i = 0; i < 8; i++) {
            d[i] = (byte) (address >>> (8 * i));
        }
        for (int i = 0; i < 4; i++) {
            d[8 + i] = (byte) (length >>> (8 * i));
        }
        d[12] = (byte) flags;
        d[13] = (byte) (flags >>> 8);
        d[14] = (byte) next;
        d[15] = (byte) (next >>> 8);
        memory.write(table.plus(16L * index), d);
    }

    /** Puts each head in the next available ring entry, then moves the available index past them. */
    public TestDriver publish(int... heads) {
        for (int head : heads) {
            memory.writeU16(avail.plus(4 + 2L * (availIdx % size)), head);
            availIdx = (availIdx + 1) & 0xffff;
        }
        memory.writeU16(avail.plus(2), availIdx);
        return this;
    }

    /** {@return the available index the driver last published} */
    public int availIdx() {
        return availIdx;
    }

    public void setAvailIdx(int idx) {
        availIdx = idx & 0xffff;
        memory.writeU16(avail.plus(2), availIdx);
    }

    void setAvailFlags(int flags) {
        memory.writeU16(avail, flags);
    }

    public void setUsedEvent(int index) {
        memory.writeU16(avail.plus(4 + 2L * size), index);
    }

    int availEvent() {
        return memory.readU16(used.plus(4 + 8L * size));
    }

    public int usedIdx() {
        return memory.readU16(used.plus(2));
    }

    /** The id and the length of used ring entry {@code i} (an index into the ring, taken modulo the size). */
    public long[] usedElement(int i) {
        GuestAddress element = used.plus(4 + 8L * (i % size));
        return new long[] {memory.readU32(element), memory.readU32(element.plus(4))};
    }
}
