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
 * struct kvm_memory_attributes {
 *     __u64 address;
 *     __u64 size;
 *     __u64 attributes;
 *     __u64 flags;
 * };
 * }
 * The argument of {@code KVM_SET_MEMORY_ATTRIBUTES}: sets {@code attributes} (e.g.
 * {@code KVM_MEMORY_ATTRIBUTE_PRIVATE}) on the guest physical range {@code [address, address + size)}.
 */
public final class kvm_memory_attributes {
    private kvm_memory_attributes() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("address"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("attributes"),
            JAVA_LONG.withName("flags")
    ).withName("kvm_memory_attributes");

    /** {@return the layout of {@code struct kvm_memory_attributes}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code address}, the guest-physical start of the range, page aligned. */
    public static final long address$OFFSET = $LAYOUT.byteOffset(groupElement("address"));
    /** Byte offset of {@code size}, the length of the range in bytes, page aligned. */
    public static final long size$OFFSET = $LAYOUT.byteOffset(groupElement("size"));
    /**
     * Byte offset of {@code attributes}, the attributes to set, {@code KVM_MEMORY_ATTRIBUTE_*} bits (0 clears
     * them).
     */
    public static final long attributes$OFFSET = $LAYOUT.byteOffset(groupElement("attributes"));
    /** Byte offset of {@code flags}, flags, 0. */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));

    /**
     * {@return {@code address}, the guest-physical start of the range, page aligned}
     *
     * @param struct a {@code struct kvm_memory_attributes}
     */
    public static long address(MemorySegment struct) {
        return struct.get(JAVA_LONG, address$OFFSET);
    }

    /**
     * Sets {@code address}, the guest-physical start of the range, page aligned.
     *
     * @param struct a {@code struct kvm_memory_attributes}
     * @param value the new value
     */
    public static void address(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, address$OFFSET, value);
    }

    /**
     * {@return {@code size}, the length of the range in bytes, page aligned}
     *
     * @param struct a {@code struct kvm_memory_attributes}
     */
    public static long size(MemorySegment struct) {
        return struct.get(JAVA_LONG, size$OFFSET);
    }

    /**
     * Sets {@code size}, the length of the range in bytes, page aligned.
     *
     * @param struct a {@code struct kvm_memory_attributes}
     * @param value the new value
     */
    public static void size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, size$OFFSET, value);
    }

    /**
     * {@return {@code attributes}, the attributes to set, {@code KVM_MEMORY_ATTRIBUTE_*} bits (0 clears
     * them)}
     *
     * @param struct a {@code struct kvm_memory_attributes}
     */
    public static long attributes(MemorySegment struct) {
        return struct.get(JAVA_LONG, attributes$OFFSET);
    }

    /**
     * Sets {@code attributes}, the attributes to set, {@code KVM_MEMORY_ATTRIBUTE_*} bits (0 clears them).
     *
     * @param struct a {@code struct kvm_memory_attributes}
     * @param value the new value
     */
    public static void attributes(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, attributes$OFFSET, value);
    }

    /**
     * {@return {@code flags}, flags, 0}
     *
     * @param struct a {@code struct kvm_memory_attributes}
     */
    public static long flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, flags, 0.
     *
     * @param struct a {@code struct kvm_memory_attributes}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, flags$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_memory_attributes)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_memory_attributes}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
