// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@snippet lang=c :
 * struct kvm_pit_channel_state {
 *     __u32 count;
 *     __u16 latched_count;
 *     __u8 count_latched;
 *     __u8 status_latched;
 *     __u8 status;
 *     __u8 read_state;
 *     __u8 write_state;
 *     __u8 write_latch;
 *     __u8 rw_mode;
 *     __u8 mode;
 *     __u8 bcd;
 *     __u8 gate;
 *     __s64 count_load_time;
 * };
 * }
 * One channel (counter) of the in-kernel i8254 PIT, an element of {@code channels} in
 * {@link kvm_pit_state2}.
 */
public final class kvm_pit_channel_state {
    private kvm_pit_channel_state() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("count"),
            JAVA_SHORT.withName("latched_count"),
            JAVA_BYTE.withName("count_latched"),
            JAVA_BYTE.withName("status_latched"),
            JAVA_BYTE.withName("status"),
            JAVA_BYTE.withName("read_state"),
            JAVA_BYTE.withName("write_state"),
            JAVA_BYTE.withName("write_latch"),
            JAVA_BYTE.withName("rw_mode"),
            JAVA_BYTE.withName("mode"),
            JAVA_BYTE.withName("bcd"),
            JAVA_BYTE.withName("gate"),
            JAVA_LONG.withName("count_load_time")
    ).withName("kvm_pit_channel_state");

    /** {@return the layout of {@code struct kvm_pit_channel_state}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code count}, the reload value the guest programmed, 1 to 65536 (0 is stored as 65536).
     */
    public static final long count$OFFSET = $LAYOUT.byteOffset(groupElement("count"));
    /** Byte offset of {@code latched_count}, the count a latch command froze. */
    public static final long latched_count$OFFSET = $LAYOUT.byteOffset(groupElement("latched_count"));
    /** Byte offset of {@code count_latched}, which bytes of {@code latched_count} are still to be read. */
    public static final long count_latched$OFFSET = $LAYOUT.byteOffset(groupElement("count_latched"));
    /** Byte offset of {@code status_latched}, 1 when a read-back command latched the status. */
    public static final long status_latched$OFFSET = $LAYOUT.byteOffset(groupElement("status_latched"));
    /** Byte offset of {@code status}, the latched status byte. */
    public static final long status$OFFSET = $LAYOUT.byteOffset(groupElement("status"));
    /** Byte offset of {@code read_state}, which byte the next read returns (LSB, MSB, word). */
    public static final long read_state$OFFSET = $LAYOUT.byteOffset(groupElement("read_state"));
    /** Byte offset of {@code write_state}, which byte the next write sets. */
    public static final long write_state$OFFSET = $LAYOUT.byteOffset(groupElement("write_state"));
    /** Byte offset of {@code write_latch}, the low byte of a 16-bit write in progress. */
    public static final long write_latch$OFFSET = $LAYOUT.byteOffset(groupElement("write_latch"));
    /** Byte offset of {@code rw_mode}, the access mode: LSB, MSB or LSB then MSB. */
    public static final long rw_mode$OFFSET = $LAYOUT.byteOffset(groupElement("rw_mode"));
    /** Byte offset of {@code mode}, the counting mode, 0 to 5. */
    public static final long mode$OFFSET = $LAYOUT.byteOffset(groupElement("mode"));
    /** Byte offset of {@code bcd}, 1 when counting in BCD. */
    public static final long bcd$OFFSET = $LAYOUT.byteOffset(groupElement("bcd"));
    /** Byte offset of {@code gate}, the gate input's level. */
    public static final long gate$OFFSET = $LAYOUT.byteOffset(groupElement("gate"));
    /** Byte offset of {@code count_load_time}, when the count was loaded, in host nanoseconds (ktime). */
    public static final long count_load_time$OFFSET = $LAYOUT.byteOffset(groupElement("count_load_time"));

    /**
     * {@return {@code count}, the reload value the guest programmed, 1 to 65536 (0 is stored as 65536)}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static int count(MemorySegment struct) {
        return struct.get(JAVA_INT, count$OFFSET);
    }

    /**
     * Sets {@code count}, the reload value the guest programmed, 1 to 65536 (0 is stored as 65536).
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void count(MemorySegment struct, int value) {
        struct.set(JAVA_INT, count$OFFSET, value);
    }

    /**
     * {@return {@code latched_count}, the count a latch command froze}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static short latched_count(MemorySegment struct) {
        return struct.get(JAVA_SHORT, latched_count$OFFSET);
    }

    /**
     * Sets {@code latched_count}, the count a latch command froze.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void latched_count(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, latched_count$OFFSET, value);
    }

    /**
     * {@return {@code count_latched}, which bytes of {@code latched_count} are still to be read}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte count_latched(MemorySegment struct) {
        return struct.get(JAVA_BYTE, count_latched$OFFSET);
    }

    /**
     * Sets {@code count_latched}, which bytes of {@code latched_count} are still to be read.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void count_latched(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, count_latched$OFFSET, value);
    }

    /**
     * {@return {@code status_latched}, 1 when a read-back command latched the status}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte status_latched(MemorySegment struct) {
        return struct.get(JAVA_BYTE, status_latched$OFFSET);
    }

    /**
     * Sets {@code status_latched}, 1 when a read-back command latched the status.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void status_latched(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, status_latched$OFFSET, value);
    }

    /**
     * {@return {@code status}, the latched status byte}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte status(MemorySegment struct) {
        return struct.get(JAVA_BYTE, status$OFFSET);
    }

    /**
     * Sets {@code status}, the latched status byte.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void status(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, status$OFFSET, value);
    }

    /**
     * {@return {@code read_state}, which byte the next read returns (LSB, MSB, word)}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte read_state(MemorySegment struct) {
        return struct.get(JAVA_BYTE, read_state$OFFSET);
    }

    /**
     * Sets {@code read_state}, which byte the next read returns (LSB, MSB, word).
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void read_state(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, read_state$OFFSET, value);
    }

    /**
     * {@return {@code write_state}, which byte the next write sets}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte write_state(MemorySegment struct) {
        return struct.get(JAVA_BYTE, write_state$OFFSET);
    }

    /**
     * Sets {@code write_state}, which byte the next write sets.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void write_state(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, write_state$OFFSET, value);
    }

    /**
     * {@return {@code write_latch}, the low byte of a 16-bit write in progress}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte write_latch(MemorySegment struct) {
        return struct.get(JAVA_BYTE, write_latch$OFFSET);
    }

    /**
     * Sets {@code write_latch}, the low byte of a 16-bit write in progress.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void write_latch(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, write_latch$OFFSET, value);
    }

    /**
     * {@return {@code rw_mode}, the access mode: LSB, MSB or LSB then MSB}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte rw_mode(MemorySegment struct) {
        return struct.get(JAVA_BYTE, rw_mode$OFFSET);
    }

    /**
     * Sets {@code rw_mode}, the access mode: LSB, MSB or LSB then MSB.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void rw_mode(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, rw_mode$OFFSET, value);
    }

    /**
     * {@return {@code mode}, the counting mode, 0 to 5}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte mode(MemorySegment struct) {
        return struct.get(JAVA_BYTE, mode$OFFSET);
    }

    /**
     * Sets {@code mode}, the counting mode, 0 to 5.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void mode(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, mode$OFFSET, value);
    }

    /**
     * {@return {@code bcd}, 1 when counting in BCD}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte bcd(MemorySegment struct) {
        return struct.get(JAVA_BYTE, bcd$OFFSET);
    }

    /**
     * Sets {@code bcd}, 1 when counting in BCD.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void bcd(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, bcd$OFFSET, value);
    }

    /**
     * {@return {@code gate}, the gate input's level}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static byte gate(MemorySegment struct) {
        return struct.get(JAVA_BYTE, gate$OFFSET);
    }

    /**
     * Sets {@code gate}, the gate input's level.
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void gate(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, gate$OFFSET, value);
    }

    /**
     * {@return {@code count_load_time}, when the count was loaded, in host nanoseconds (ktime)}
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     */
    public static long count_load_time(MemorySegment struct) {
        return struct.get(JAVA_LONG, count_load_time$OFFSET);
    }

    /**
     * Sets {@code count_load_time}, when the count was loaded, in host nanoseconds (ktime).
     *
     * @param struct a {@code struct kvm_pit_channel_state}
     * @param value the new value
     */
    public static void count_load_time(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, count_load_time$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_pit_channel_state)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_pit_channel_state}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
