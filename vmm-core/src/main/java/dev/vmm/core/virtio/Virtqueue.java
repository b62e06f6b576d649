// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A split virtqueue (virtio 1.2, section 2.7) seen from the device: the descriptor table, the
 * available ring the driver fills and the used ring the device fills, all in guest memory, with
 * indirect descriptors (VIRTIO_F_INDIRECT_DESC) and notification suppression by index
 * (VIRTIO_F_EVENT_IDX).
 *
 * <p>A device {@linkplain #pop() pops} chains until there are none, returns each with
 * {@link #addUsed(DescriptorChain, int)}, and interrupts the driver when
 * {@link #needsNotification()} says so.
 *
 * <p>Everything in guest memory comes from a driver that may be hostile. The rings must be aligned
 * and wholly inside guest memory before the queue is used; every buffer must be wholly inside one
 * memory region (unsigned arithmetic, so nothing wraps at 2^64); a chain has at most queue-size
 * buffers and at most 2^32 bytes, so a loop ends; and an indirect table follows the spec (no
 * nesting, not with NEXT, a length that is a non-zero multiple of 16 and at most queue-size
 * entries). A broken rule is a {@link VirtqueueException}, and the queue then stays broken until the
 * driver resets the device. The only leniency: a zero-length descriptor is skipped, wherever it is
 * (the spec does not forbid one, and it touches no memory).
 *
 * <p>Not thread-safe: one thread at a time (the transport's lock, or the device's own thread).
 */
public final class Virtqueue {
    /** VIRTIO_F_INDIRECT_DESC: a descriptor may point to a table of further descriptors. */
    public static final long INDIRECT_DESC = 1L << 28;
    /** VIRTIO_F_EVENT_IDX: used_event and avail_event say when to notify, instead of the flags. */
    public static final long EVENT_IDX = 1L << 29;
    /** The largest size of a split virtqueue: the 16-bit indexes must tell a full ring from an empty one. */
    public static final int MAX_SIZE = 32768;

    static final int DESC_NEXT = 1;
    static final int DESC_WRITE = 2;
    static final int DESC_INDIRECT = 4;
    private static final int AVAIL_NO_INTERRUPT = 1;
    private static final int DESCRIPTOR = 16;
    private static final long MAX_CHAIN_BYTES = 1L << 32;

    private final int maxSize;

    // What the driver configures through the transport while the queue is not ready.
    private int size;
    private GuestAddress descriptorTable;
    private GuestAddress availRing;
    private GuestAddress usedRing;
    private boolean ready;

    // Set once the device is activated; memory stays null for a queue the driver did not enable.
    private GuestMemory memory;
    private boolean eventIdx;
    private boolean indirect;
    private int nextAvail;             // the next available ring entry to read, 16 bits free-running
    private int nextUsed;              // the used ring's idx, 16 bits free-running
    private int usedSinceNotification; // used elements since needsNotification last answered
    private int generation;            // counts resets, so that chains from before one are dropped
    private String broken;

    Virtqueue(int maxSize) {
        if (maxSize < 1 || maxSize > MAX_SIZE || Integer.bitCount(maxSize) != 1) {
            throw new IllegalArgumentException("A queue's maximum size must be a power of two from 1 to 32768, not " + maxSize + ".");
        }
        this.maxSize = maxSize;
        reset();
    }

    /** {@return the largest size the device accepts for this queue} */
    public int maxSize() {
        return maxSize;
    }

    /** {@return the size the driver chose} */
    public int size() {
        return size;
    }

    /** {@return whether the driver enabled this queue; a device sees only enabled queues' chains} */
    public boolean ready() {
        return ready;
    }

    /**
     * The next chain the driver made available, checked; empty when there is none (or the queue is
     * not enabled). When the ring is empty, with VIRTIO_F_EVENT_IDX the queue asks the driver to
     * notify at its next chain, so pop until empty.
     *
     * @return the chain, or empty
     * @throws VirtqueueException when the driver broke a rule (see the class comment); the queue
     *     stays broken until the device is reset
     */
    public Optional<DescriptorChain> pop() throws VirtqueueException {
        if (broken != null) {
            throw new VirtqueueException(broken);
        }
        if (memory == null) {
            return Optional.empty();
        }
        int availIdx = memory.readU16(availRing.plus(2));
        if (availIdx == nextAvail && eventIdx) {
            // Ask for a notification at the next chain, then look again: the driver may have added
            // one before it could see the request, and would not notify for it.
            memory.writeU16(availEvent(), nextAvail);
            VarHandle.fullFence();
            availIdx = memory.readU16(availRing.plus(2));
        }
        int pending = (availIdx - nextAvail) & 0xffff;
        if (pending == 0) {
            return Optional.empty();
        }
        if (pending > size) {
            return fail("The driver moved the available index from " + nextAvail + " to " + availIdx
                    + ", " + pending + " chains ahead in a queue of " + size + ".");
        }
        VarHandle.acquireFence(); // the driver wrote the ring entry and the descriptors before the index
        int head = memory.readU16(availRing.plus(4 + 2L * (nextAvail & (size - 1))));
        nextAvail = (nextAvail + 1) & 0xffff;
        return Optional.of(chain(head));
    }

    /**
     * Gives back {@code chains}, the last chains popped, none of them used: the next pops return
     * them again, read afresh from the ring. A device that held chains waiting for data (receive
     * buffers) gives them back before a snapshot saves the queue, so that the restored device,
     * which starts with none held, finds them on the ring. Chains from before a reset are ignored.
     *
     * @param chains the chains, in the order they were popped, the last popped last
     * @throws IllegalArgumentException when a chain was popped from another queue
     */
    public void undoPop(Collection<DescriptorChain> chains) {
        int count = 0;
        for (DescriptorChain chain : chains) {
            if (chain.queue() != this) {
                throw new IllegalArgumentException(chain + " was popped from another queue.");
            }
            if (chain.generation() == generation) {
                count++;
            }
        }
        nextAvail = (nextAvail - count) & 0xffff;
    }

    /**
     * Returns {@code chain} to the driver, saying that the device wrote {@code written} bytes at
     * the start of its writable buffers. A chain from before a reset is dropped: its ring is gone.
     *
     * @param chain a chain this queue popped
     * @param written the bytes the device wrote into its writable buffers
     * @throws IllegalArgumentException when the chain is from another queue, or {@code written} is
     *     negative or more than its writable buffers hold: a device's mistake, not the guest's
     */
    public void addUsed(DescriptorChain chain, int written) {
        checkUsed(chain, written);
        if (memory == null || chain.generation() != generation) {
            return;
        }
        writeUsedElement(nextUsed, chain, written);
        publishUsed(1);
    }

    private void checkUsed(DescriptorChain chain, int written) {
        if (chain.queue() != this) {
            throw new IllegalArgumentException(chain + " was popped from another queue.");
        }
        if (written < 0 || written > chain.writableLength()) {
            throw new IllegalArgumentException("Written length " + written + " is not within the " + chain.writableLength() + " writable bytes of " + chain + ".");
        }
    }

    /** Writes the used element at used index {@code index} (16 bits free-running), not yet handed over. */
    private void writeUsedElement(int index, DescriptorChain chain, int written) {
        GuestAddress element = usedRing.plus(4 + 8L * (index & (size - 1)));
        memory.writeU32(element, chain.head());
        memory.writeU32(element.plus(4), written);
    }

    /** Hands the next {@code added} used elements over to the driver. */
    private void publishUsed(int added) {
        nextUsed = (nextUsed + added) & 0xffff;
        VarHandle.releaseFence(); // the elements before the index that hands them over
        memory.writeU16(usedRing.plus(2), nextUsed);
        usedSinceNotification = Math.min(usedSinceNotification + added, 0xffff);
    }

    /**
     * Returns the first {@code count} of {@code chains} to the driver at once, chain {@code i} with
     * {@code written[i]} bytes: their used elements are written first, and the used index moves past
     * all of them with one store, so the driver sees all of them or none. A frame spread over merged
     * receive buffers (VIRTIO_NET_F_MRG_RXBUF) needs that: Linux takes the first buffer's
     * {@code num_buffers} and expects the others to be used already. Chains from before a reset
     * are dropped.
     *
     * @param chains chains this queue popped, in the order the driver is to see them
     * @param written the bytes the device wrote into each chain's writable buffers
     * @param count how many chains, from the first; at most the queue's size
     * @throws IllegalArgumentException when {@code count} is out of range, or a chain or its length
     *     is as {@link #addUsed(DescriptorChain, int)} refuses; nothing is returned then
     */
    public void addUsed(List<DescriptorChain> chains, int[] written, int count) {
        if (count < 0 || count > chains.size() || count > written.length || count > size) {
            throw new IllegalArgumentException("Cannot return " + count + " of " + chains.size() + " chains with " + written.length
                    + " lengths to a queue of " + size + ".");
        }
        for (int i = 0; i < count; i++) {
            checkUsed(chains.get(i), written[i]);
        }
        if (memory == null) {
            return;
        }
        int added = 0;
        for (int i = 0; i < count; i++) {
            DescriptorChain chain = chains.get(i);
            if (chain.generation() == generation) {
                writeUsedElement((nextUsed + added) & 0xffff, chain, written[i]);
                added++;
            }
        }
        if (added > 0) {
            publishUsed(added);
        }
    }

    /**
     * Whether the driver wants a used buffer notification for the chains added since the last
     * time this was asked: with VIRTIO_F_EVENT_IDX, when the used index passed used_event
     * (vring_need_event); without, unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT. Never when
     * nothing was added.
     *
     * @return true when the device should raise the used buffer interrupt now
     */
    public boolean needsNotification() {
        int added = usedSinceNotification;
        usedSinceNotification = 0;
        if (memory == null || added == 0) {
            return false;
        }
        VarHandle.fullFence(); // the used index must be visible before the driver's answer is read
        if (!eventIdx) {
            return (memory.readU16(availRing) & AVAIL_NO_INTERRUPT) == 0;
        }
        int usedEvent = memory.readU16(availRing.plus(4 + 2L * size));
        int old = (nextUsed - added) & 0xffff;
        return ((nextUsed - usedEvent - 1) & 0xffff) < ((nextUsed - old) & 0xffff);
    }

    /** Walks the chain at {@code head}: every rule of the class comment, checked before the device sees it. */
    private DescriptorChain chain(int head) throws VirtqueueException {
        if (head >= size) {
            return fail("The available ring names descriptor " + head + " in a queue of " + size + ".");
        }
        List<DescriptorChain.Buffer> readable = new ArrayList<>();
        List<DescriptorChain.Buffer> writable = new ArrayList<>();
        GuestAddress table = descriptorTable;
        int tableSize = size;
        boolean inIndirect = false;
        int buffers = 0;
        long bytes = 0;
        for (int index = head; ; ) {
            GuestAddress at = table.plus((long) DESCRIPTOR * index); // index < tableSize: inside the checked table
            long address = memory.readU64(at);
            long length = memory.readU32(at.plus(8));
            int flags = memory.readU16(at.plus(12));
            int next = memory.readU16(at.plus(14));
            if ((flags & DESC_INDIRECT) != 0) {
                if (!indirect || inIndirect || (flags & DESC_NEXT) != 0) {
                    return fail("Descriptor " + index + " of chain " + head + " points to an indirect table "
                            + (!indirect ? "without VIRTIO_F_INDIRECT_DESC." : inIndirect ? "from inside an indirect table." : "and has NEXT set too."));
                }
                if (length == 0 || length % DESCRIPTOR != 0 || length / DESCRIPTOR > size
                        || !memory.contains(GuestAddress.of(address), length)) {
                    return fail("The indirect table of chain " + head + " at 0x" + Long.toHexString(address) + ", " + length
                            + " bytes, is not a non-zero multiple of 16 bytes, at most " + size + " descriptors, inside guest memory.");
                }
                table = GuestAddress.of(address);
                tableSize = (int) (length / DESCRIPTOR);
                inIndirect = true;
                index = 0;
                continue; // the WRITE flag of the pointer is ignored, as the spec says
            }
            if (++buffers > size) {
                return fail("Chain " + head + " has more than " + size + " descriptors: a loop, or longer than the queue.");
            }
            if (length > 0) {
                bytes += length;
                if (bytes > MAX_CHAIN_BYTES || !memory.contains(GuestAddress.of(address), length)) {
                    return fail("Chain " + head + " has a buffer at 0x" + Long.toHexString(address) + " of " + length
                            + " bytes that is not inside guest memory, or makes the chain longer than 2^32 bytes.");
                }
                DescriptorChain.Buffer buffer = new DescriptorChain.Buffer(GuestAddress.of(address), length);
                if ((flags & DESC_WRITE) != 0) {
                    writable.add(buffer);
                } else if (writable.isEmpty()) {
                    readable.add(buffer);
                } else {
                    return fail("Chain " + head + " has a device-readable buffer after a device-writable one.");
                }
            }
            if ((flags & DESC_NEXT) == 0) {
                return new DescriptorChain(this, generation, memory, head, readable, writable);
            }
            if (next >= tableSize) {
                return fail("Chain " + head + " continues at descriptor " + next + " of a table of " + tableSize + ".");
            }
            index = next;
        }
    }

    private <T> T fail(String reason) throws VirtqueueException {
        broken = reason;
        throw new VirtqueueException(reason);
    }

    private GuestAddress availEvent() {
        return usedRing.plus(4 + 8L * size);
    }

    /**
     * What a snapshot keeps of a queue: the driver's settings and how far the device got. The rest
     * (the negotiated ring features, the guest memory) comes back with the transport's activation.
     *
     * @param size the size the driver chose
     * @param ready whether the driver enabled the queue
     * @param descriptorTable where the descriptor table is
     * @param availRing where the available ring is
     * @param usedRing where the used ring is
     * @param nextAvail the next available ring entry the device will read, 0 to 0xffff
     * @param nextUsed the used ring's index, 0 to 0xffff
     */
    public record State(int size, boolean ready, GuestAddress descriptorTable, GuestAddress availRing, GuestAddress usedRing,
                        int nextAvail, int nextUsed) {
        /**
         * Checks the indices, which the device keeps 16-bit. The size and the ring addresses are the
         * driver's, whatever it wrote: they are checked at activation, as for a driver's DRIVER_OK.
         *
         * @param size the size
         * @param ready whether enabled
         * @param descriptorTable the descriptor table
         * @param availRing the available ring
         * @param usedRing the used ring
         * @param nextAvail the next available entry
         * @param nextUsed the used index
         */
        public State {
            if ((nextAvail & ~0xffff) != 0 || (nextUsed & ~0xffff) != 0) {
                throw new IllegalArgumentException("A queue's indices are 16-bit, not " + nextAvail + " and " + nextUsed + ".");
            }
            java.util.Objects.requireNonNull(descriptorTable, "descriptorTable");
            java.util.Objects.requireNonNull(availRing, "availRing");
            java.util.Objects.requireNonNull(usedRing, "usedRing");
        }
    }

    /** {@return this queue's state, for a snapshot taken while its device does not work on it} */
    State state() {
        return new State(size, ready, descriptorTable, availRing, usedRing, nextAvail, nextUsed);
    }

    /**
     * Takes the state a snapshot saved, as if the driver had written it; the transport's activation
     * then checks size and rings, as for a driver's DRIVER_OK.
     */
    void restore(State state) {
        reset();
        size = state.size();
        ready = state.ready();
        descriptorTable = state.descriptorTable();
        availRing = state.availRing();
        usedRing = state.usedRing();
        nextAvail = state.nextAvail();
        nextUsed = state.nextUsed();
    }

    // The transport's side: configuration while not ready, activation, reset.

    void setSize(int size) {
        this.size = size;
    }

    void setDescriptorTable(GuestAddress address) {
        descriptorTable = address;
    }

    void setAvailRing(GuestAddress address) {
        availRing = address;
    }

    void setUsedRing(GuestAddress address) {
        usedRing = address;
    }

    void setReady(boolean ready) {
        this.ready = ready;
    }

    GuestAddress descriptorTable() {
        return descriptorTable;
    }

    GuestAddress availRing() {
        return availRing;
    }

    GuestAddress usedRing() {
        return usedRing;
    }

    /**
     * Starts using the rings in {@code memory} with the negotiated {@code features}, once the driver
     * set DRIVER_OK. A queue that is not ready stays idle.
     *
     * @throws VirtqueueException when the size is not a power of two up to the maximum, or a ring
     *     is misaligned or not wholly inside guest memory
     */
    void activate(GuestMemory memory, long features) throws VirtqueueException {
        if (!ready) {
            return;
        }
        if (size < 1 || size > maxSize || Integer.bitCount(size) != 1) {
            fail("The driver set a queue size of " + size + ", not a power of two from 1 to " + maxSize + ".");
        }
        checkRing(memory, "descriptor table", descriptorTable, 16, (long) DESCRIPTOR * size);
        checkRing(memory, "available ring", availRing, 2, 6 + 2L * size);
        checkRing(memory, "used ring", usedRing, 4, 6 + 8L * size);
        this.memory = memory;
        this.eventIdx = (features & EVENT_IDX) != 0;
        this.indirect = (features & INDIRECT_DESC) != 0;
    }

    private void checkRing(GuestMemory memory, String part, GuestAddress address, int alignment, long length) throws VirtqueueException {
        if ((address.value() & (alignment - 1)) != 0 || !memory.contains(address, length)) {
            fail("The " + part + " at " + address + " (" + length + " bytes) is not " + alignment + "-byte aligned inside guest memory.");
        }
    }

    /** Back to the state after power-on: the driver's settings and the device's progress are gone. */
    void reset() {
        size = maxSize;
        descriptorTable = GuestAddress.of(0);
        availRing = GuestAddress.of(0);
        usedRing = GuestAddress.of(0);
        ready = false;
        memory = null;
        eventIdx = false;
        indirect = false;
        nextAvail = 0;
        nextUsed = 0;
        usedSinceNotification = 0;
        broken = null;
        generation++;
    }
}
