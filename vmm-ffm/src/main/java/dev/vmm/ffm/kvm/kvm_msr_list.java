// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@snippet lang=c :
 * struct kvm_msr_list {
 *     __u32 nmsrs;
 *     __u32 indices[];
 * };
 * }
 * The argument of {@code KVM_GET_MSR_INDEX_LIST}: on entry {@code nmsrs} is the room in
 * {@code indices}; the kernel sets it to the number of MSRs, and fails with E2BIG when they do not fit.
 */
public final class kvm_msr_list {
    private kvm_msr_list() {}

    // indices is a flexible array member: a zero-length sequence keeps sizeof() equal to C's.
    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nmsrs"),
            MemoryLayout.sequenceLayout(0, JAVA_INT).withName("indices")
    ).withName("kvm_msr_list");

    /** {@return the layout of {@code struct kvm_msr_list}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code nmsrs}, the number of indices: on input the room in {@code indices}, on output
     * the number of MSRs the kernel lists.
     */
    public static final long nmsrs$OFFSET = $LAYOUT.byteOffset(groupElement("nmsrs"));
    /** Byte offset of {@code indices}, the MSR numbers, a flexible array. */
    public static final long indices$OFFSET = $LAYOUT.byteOffset(groupElement("indices"));

    /**
     * {@return {@code nmsrs}, the number of indices: on input the room in {@code indices}, on output the
     * number of MSRs the kernel lists}
     *
     * @param struct a {@code struct kvm_msr_list}
     */
    public static int nmsrs(MemorySegment struct) {
        return struct.get(JAVA_INT, nmsrs$OFFSET);
    }

    /**
     * Sets {@code nmsrs}, the number of indices: on input the room in {@code indices}, on output the number
     * of MSRs the kernel lists.
     *
     * @param struct a {@code struct kvm_msr_list}
     * @param value the new value
     */
    public static void nmsrs(MemorySegment struct, int value) {
        struct.set(JAVA_INT, nmsrs$OFFSET, value);
    }

    /**
     * {@return element {@code index} of {@code indices}, the MSR numbers, a flexible array}
     *
     * @param struct a {@code struct kvm_msr_list}
     * @param index the element's index
     * @throws IndexOutOfBoundsException when {@code index} is negative or not below {@code nmsrs}
     */
    public static int indices(MemorySegment struct, int index) {
        return struct.get(JAVA_INT, indices$OFFSET + Objects.checkIndex(index, nmsrs(struct)) * JAVA_INT.byteSize());
    }

    /**
     * Sets element {@code index} of {@code indices}, the MSR numbers, a flexible array.
     *
     * @param struct a {@code struct kvm_msr_list}
     * @param index the element's index
     * @param value the new value
     * @throws IndexOutOfBoundsException when {@code index} is negative or not below {@code nmsrs}
     */
    public static void indices(MemorySegment struct, int index, int value) {
        struct.set(JAVA_INT, indices$OFFSET + Objects.checkIndex(index, nmsrs(struct)) * JAVA_INT.byteSize(), value);
    }

    /** {@return {@code sizeof(struct kvm_msr_list)} in bytes: the header alone, without indices} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_msr_list} header, without indices.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }

    /**
     * Allocates a zeroed {@code struct kvm_msr_list} with room for {@code count} indices, and sets
     * {@code nmsrs} to {@code count}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @param count the number of indices
     * @return the struct: the header followed by {@code count} zeroed indices
     * @throws IllegalArgumentException when {@code count} is negative
     */
    public static MemorySegment allocate(SegmentAllocator allocator, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("index count must not be negative, got " + count);
        }
        MemorySegment struct = allocator.allocate(sizeof() + count * JAVA_INT.byteSize(), $LAYOUT.byteAlignment());
        nmsrs(struct, count);
        return struct;
    }
}
