// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_dirty_log {
 *     __u32 slot;
 *     __u32 padding1;
 *     union {
 *         void __user *dirty_bitmap;
 *         __u64 padding2;
 *     };
 * };
 * }
 * The argument of {@code KVM_GET_DIRTY_LOG}: the kernel writes one bit per page of memory slot
 * {@code slot} into the buffer at {@code dirty_bitmap}.
 */
public final class kvm_dirty_log {
    private kvm_dirty_log() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"),
            JAVA_INT.withName("padding1"),
            MemoryLayout.unionLayout(
                    ADDRESS.withName("dirty_bitmap"),
                    JAVA_LONG.withName("padding2"))
    ).withName("kvm_dirty_log");

    /** {@return the layout of {@code struct kvm_dirty_log}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code slot}, the memory slot whose dirty pages to report. */
    public static final long slot$OFFSET = $LAYOUT.byteOffset(groupElement("slot"));
    /** Byte offset of {@code padding1}, padding. */
    public static final long padding1$OFFSET = $LAYOUT.byteOffset(groupElement("padding1"));
    // Member 2 is the anonymous union.
    /**
     * Byte offset of {@code dirty_bitmap}, the user-space buffer the kernel fills with one bit per page of
     * the slot.
     */
    public static final long dirty_bitmap$OFFSET = $LAYOUT.byteOffset(groupElement(2), groupElement("dirty_bitmap"));
    /** Byte offset of {@code padding2}, the union member that keeps {@code dirty_bitmap} 64 bits wide. */
    public static final long padding2$OFFSET = $LAYOUT.byteOffset(groupElement(2), groupElement("padding2"));

    /**
     * {@return {@code slot}, the memory slot whose dirty pages to report}
     *
     * @param struct a {@code struct kvm_dirty_log}
     */
    public static int slot(MemorySegment struct) {
        return struct.get(JAVA_INT, slot$OFFSET);
    }

    /**
     * Sets {@code slot}, the memory slot whose dirty pages to report.
     *
     * @param struct a {@code struct kvm_dirty_log}
     * @param value the new value
     */
    public static void slot(MemorySegment struct, int value) {
        struct.set(JAVA_INT, slot$OFFSET, value);
    }

    /**
     * {@return {@code dirty_bitmap}, the user-space buffer the kernel fills with one bit per page of the
     * slot, as a zero-length segment}
     *
     * @param struct a {@code struct kvm_dirty_log}
     */
    public static MemorySegment dirty_bitmap(MemorySegment struct) {
        return struct.get(ADDRESS, dirty_bitmap$OFFSET);
    }

    /**
     * Sets {@code dirty_bitmap}, the user-space buffer the kernel fills with one bit per page of the slot.
     *
     * @param struct a {@code struct kvm_dirty_log}
     * @param value the new value, a pointer
     */
    public static void dirty_bitmap(MemorySegment struct, MemorySegment value) {
        struct.set(ADDRESS, dirty_bitmap$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_dirty_log)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_dirty_log}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
