// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@snippet lang=c :
 * struct kvm_dtable {
 *     __u64 base;
 *     __u16 limit;
 *     __u16 padding[3];
 * };
 * }
 * A descriptor table register (GDTR or IDTR), nested in {@link kvm_sregs}.
 */
public final class kvm_dtable {
    private kvm_dtable() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"),
            JAVA_SHORT.withName("limit"),
            MemoryLayout.sequenceLayout(3, JAVA_SHORT).withName("padding")
    ).withName("kvm_dtable");

    /** {@return the layout of {@code struct kvm_dtable}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code base}, the table's linear base address. */
    public static final long base$OFFSET = $LAYOUT.byteOffset(groupElement("base"));
    /** Byte offset of {@code limit}, the table's limit: its size in bytes minus 1. */
    public static final long limit$OFFSET = $LAYOUT.byteOffset(groupElement("limit"));
    /** Byte offset of {@code padding}, padding. */
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));

    /**
     * {@return {@code base}, the table's linear base address}
     *
     * @param struct a {@code struct kvm_dtable}
     */
    public static long base(MemorySegment struct) {
        return struct.get(JAVA_LONG, base$OFFSET);
    }

    /**
     * Sets {@code base}, the table's linear base address.
     *
     * @param struct a {@code struct kvm_dtable}
     * @param value the new value
     */
    public static void base(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, base$OFFSET, value);
    }

    /**
     * {@return {@code limit}, the table's limit: its size in bytes minus 1}
     *
     * @param struct a {@code struct kvm_dtable}
     */
    public static short limit(MemorySegment struct) {
        return struct.get(JAVA_SHORT, limit$OFFSET);
    }

    /**
     * Sets {@code limit}, the table's limit: its size in bytes minus 1.
     *
     * @param struct a {@code struct kvm_dtable}
     * @param value the new value
     */
    public static void limit(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, limit$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_dtable)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_dtable}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
