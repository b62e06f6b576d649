// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntToLongFunction;
import java.util.stream.IntStream;

/**
 * A virtio 1.x driver's moves on the first virtio-mmio window (0xD0000000), as {@link DriverScript}
 * steps, for hostile guests that break the rules in rounds: each round resets the device and brings
 * it up again ({@link #bringUp}), lays out descriptors and rings, notifies, and then expects the
 * device to go on serving ({@link #expectHealthy}) or to have marked itself DEVICE_NEEDS_RESET
 * ({@link #expectBroken}).
 *
 * <p>Queue {@code q} of {@link #QUEUE_SIZE} entries has its descriptor table at
 * {@link #descriptors}{@code (q)}, its available ring 4 KiB above and its used ring 8 KiB above;
 * buffers go from {@link #BUFFERS} up.
 */
final class VirtioScript {
    static final long WINDOW = 0xd000_0000L;
    static final int QUEUE_SIZE = 256;
    static final long BUFFERS = 0x300_0000;
    static final int NEXT = 1, WRITE = 2, INDIRECT = 4;
    private static final long QUEUES = 0x200_0000;
    // virtio-mmio registers (virtio 1.2, 4.2.2).
    private static final int MAGIC = 0x00, VERSION = 0x04, DEVICE_ID = 0x08, DEVICE_FEATURES = 0x10, DEVICE_FEATURES_SEL = 0x14,
            DRIVER_FEATURES = 0x20, DRIVER_FEATURES_SEL = 0x24, QUEUE_SEL = 0x30, QUEUE_NUM = 0x38, QUEUE_READY = 0x44,
            QUEUE_NOTIFY = 0x50, INTERRUPT_STATUS = 0x60, STATUS = 0x70, QUEUE_DESC = 0x80, QUEUE_DRIVER = 0x90, QUEUE_DEVICE = 0xa0;
    private static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 0x40;
    private static final int CONFIG_CHANGE = 2;
    private static final int FLOOD = 256;

    private final DriverScript script = new DriverScript();
    private final int deviceType;
    private final int queues;

    /** A driver of a device of {@code deviceType} with {@code queues} queues, accepting VIRTIO_F_VERSION_1 only. */
    VirtioScript(int deviceType, int queues) {
        this.deviceType = deviceType;
        this.queues = queues;
    }

    static long descriptors(int queue) {
        return QUEUES + 0x10000L * queue;
    }

    static long avail(int queue) {
        return descriptors(queue) + 0x1000;
    }

    static long used(int queue) {
        return descriptors(queue) + 0x2000;
    }

    DriverScript script() {
        return script;
    }

    /**
     * Resets the device and brings it up as a driver does: ACKNOWLEDGE, DRIVER, the device's ID
     * checked, VIRTIO_F_VERSION_1 offered and the only feature accepted, FEATURES_OK read back,
     * every queue of {@link #QUEUE_SIZE} entries with empty rings, DRIVER_OK.
     */
    VirtioScript bringUp() {
        return bringUp(descriptors(0));
    }

    /** As {@link #bringUp()}, with queue 0's descriptor table at {@code table} instead. */
    VirtioScript bringUp(long table) {
        script.store32(WINDOW + STATUS, 0).store32(WINDOW + STATUS, ACKNOWLEDGE).store32(WINDOW + STATUS, ACKNOWLEDGE | DRIVER)
                .check32(WINDOW + MAGIC, -1, 0x74726976).check32(WINDOW + VERSION, -1, 2).check32(WINDOW + DEVICE_ID, -1, deviceType)
                .store32(WINDOW + DEVICE_FEATURES_SEL, 1).check32(WINDOW + DEVICE_FEATURES, 1, 1)
                .store32(WINDOW + DRIVER_FEATURES_SEL, 1).store32(WINDOW + DRIVER_FEATURES, 1)
                .store32(WINDOW + DRIVER_FEATURES_SEL, 0).store32(WINDOW + DRIVER_FEATURES, 0)
                .store32(WINDOW + STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK).check32(WINDOW + STATUS, FEATURES_OK, FEATURES_OK);
        for (int q = 0; q < queues; q++) {
            script.store32(avail(q), 0).store32(used(q), 0) // flags and index, in both rings
                    .store32(WINDOW + QUEUE_SEL, q).store32(WINDOW + QUEUE_NUM, QUEUE_SIZE);
            address(QUEUE_DESC, q == 0 ? table : descriptors(q));
            address(QUEUE_DRIVER, avail(q));
            address(QUEUE_DEVICE, used(q));
            script.store32(WINDOW + QUEUE_READY, 1);
        }
        script.store32(WINDOW + STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
        return this;
    }

    private void address(int register, long address) {
        script.store32(WINDOW + register, (int) address).store32(WINDOW + register + 4, (int) (address >>> 32));
    }

    /** Writes descriptor {@code index} of {@code queue}'s table. */
    VirtioScript descriptor(int queue, int index, long address, int length, int flags, int next) {
        script.write(descriptors(queue) + 16L * index, descriptorBytes(address, length, flags, next));
        return this;
    }

    /** Descriptors 0 to {@code count - 1} of {@code queue}'s table at once, descriptor i over {@code length} bytes at {@code address(i)}. */
    VirtioScript descriptors(int queue, int count, IntToLongFunction address, int length, int flags) {
        ByteBuffer table = ByteBuffer.allocate(16 * count);
        for (int i = 0; i < count; i++) {
            table.put(descriptorBytes(address.applyAsLong(i), length, flags, 0));
        }
        script.write(descriptors(queue), table.array());
        return this;
    }

    static byte[] descriptorBytes(long address, int length, int flags, int next) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(address).putInt(length).putShort((short) flags)
                .putShort((short) next).array();
    }

    /**
     * Makes {@code heads} available on {@code queue}, in ring slots 0 up, with the available index
     * set to {@code availIndex} (the number of heads, unless the round lies about it), and notifies.
     */
    VirtioScript offer(int queue, int availIndex, int... heads) {
        for (int i = 0; i < heads.length; i++) {
            script.store16(avail(queue) + 4 + 2L * i, heads[i]);
        }
        script.store16(avail(queue) + 2, availIndex);
        return notify(queue);
    }

    /**
     * Makes the whole ring available, slot i holding head i, {@code rounds} times over: each time
     * the available index moves on by {@link #QUEUE_SIZE}, and the guest notifies and waits until
     * the device has used every chain.
     */
    VirtioScript flood(int queue, int rounds) {
        return flood(queue, rounds, IntStream.range(0, QUEUE_SIZE).toArray());
    }

    /**
     * As {@link #flood(int, int)}, with {@code heads} (a number of them that divides
     * {@link #QUEUE_SIZE}) over and over round the ring, the index moving on by their number.
     */
    VirtioScript flood(int queue, int rounds, int... heads) {
        if (heads.length == 0 || QUEUE_SIZE % heads.length != 0) {
            throw new IllegalArgumentException("A flood's heads go round a ring of " + QUEUE_SIZE + ": give a number that divides it, not " + heads.length + ".");
        }
        ByteBuffer ring = ByteBuffer.allocate(2 * QUEUE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < QUEUE_SIZE; i++) {
            ring.putShort((short) heads[i % heads.length]);
        }
        script.write(avail(queue) + 4, ring.array());
        int mark = script.mark();
        script.add16(avail(queue) + 2, heads.length);
        notify(queue);
        script.awaitEqual16(used(queue) + 2, avail(queue) + 2).loopTo(mark, rounds);
        return this;
    }

    VirtioScript notify(int queue) {
        script.store32(WINDOW + QUEUE_NOTIFY, queue);
        return this;
    }

    /** Waits until {@code queue}'s used index is {@code index}. */
    VirtioScript awaitUsed(int queue, int index) {
        script.await32(used(queue), 0xffff_0000, index << 16); // flags in the low half, the index in the high
        return this;
    }

    /** Goes on only if the device does not need a reset. */
    VirtioScript expectHealthy() {
        script.check32(WINDOW + STATUS, NEEDS_RESET, 0);
        return this;
    }

    /**
     * Waits for DEVICE_NEEDS_RESET and the configuration change interrupt that comes with it, floods
     * the broken device with notifications on {@code queue}, and checks it is still broken: only a
     * reset mends it.
     */
    VirtioScript expectBroken(int queue) {
        script.await32(WINDOW + STATUS, NEEDS_RESET, NEEDS_RESET).await32(WINDOW + INTERRUPT_STATUS, CONFIG_CHANGE, CONFIG_CHANGE)
                .repeat32(WINDOW + QUEUE_NOTIFY, queue, FLOOD).check32(WINDOW + STATUS, NEEDS_RESET, NEEDS_RESET);
        return this;
    }

    /** The guest, powering off after the rounds so far: an ELF "kernel". */
    byte[] kernel() {
        return script.powerOff().kernel();
    }
}
