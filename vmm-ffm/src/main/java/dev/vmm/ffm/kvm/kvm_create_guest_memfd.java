// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_create_guest_memfd {
 *     __u64 size;
 *     __u64 flags;
 *     __u64 reserved[6];
 * };
 * }
 * The argument of {@code KVM_CREATE_GUEST_MEMFD}.
 */
public final class kvm_create_guest_memfd {
    private kvm_create_guest_memfd() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("flags"),
            MemoryLayout.sequenceLayout(6, JAVA_LONG).withName("reserved")
    ).withName("kvm_create_guest_memfd");

    /** {@return the layout of {@code struct kvm_create_guest_memfd}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code size}, the size of the new guest_memfd in bytes, a multiple of the page size. */
    public static final long size$OFFSET = $LAYOUT.byteOffset(groupElement("size"));
    /** Byte offset of {@code flags}, creation flags, 0 where the kernel defines none. */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code reserved}, reserved space, zero. */
    public static final long reserved$OFFSET = $LAYOUT.byteOffset(groupElement("reserved"));

    /**
     * {@return {@code size}, the size of the new guest_memfd in bytes, a multiple of the page size}
     *
     * @param struct a {@code struct kvm_create_guest_memfd}
     */
    public static long size(MemorySegment struct) {
        return struct.get(JAVA_LONG, size$OFFSET);
    }

    /**
     * Sets {@code size}, the size of the new guest_memfd in bytes, a multiple of the page size.
     *
     * @param struct a {@code struct kvm_create_guest_memfd}
     * @param value the new value
     */
    public static void size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, size$OFFSET, value);
    }

    /**
     * {@return {@code flags}, creation flags, 0 where the kernel defines none}
     *
     * @param struct a {@code struct kvm_create_guest_memfd}
     */
    public static long flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, creation flags, 0 where the kernel defines none.
     *
     * @param struct a {@code struct kvm_create_guest_memfd}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, flags$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_create_guest_memfd)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_create_guest_memfd}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
