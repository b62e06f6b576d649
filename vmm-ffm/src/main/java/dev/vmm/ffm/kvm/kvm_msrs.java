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
 * struct kvm_msrs {
 *     __u32 nmsrs;
 *     __u32 pad;
 *     struct kvm_msr_entry entries[];
 * };
 * }
 * The argument of {@code KVM_GET_MSRS} and {@code KVM_SET_MSRS}: a header followed by {@code nmsrs}
 * {@link kvm_msr_entry} elements. The ioctls return how many entries they processed.
 */
public final class kvm_msrs {
    private kvm_msrs() {}

    // entries is a flexible array member: a zero-length sequence keeps sizeof() equal to C's.
    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nmsrs"),
            JAVA_INT.withName("pad"),
            MemoryLayout.sequenceLayout(0, kvm_msr_entry.layout()).withName("entries")
    ).withName("kvm_msrs");

    /** {@return the layout of {@code struct kvm_msrs}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code nmsrs}, the number of entries that follow the header. */
    public static final long nmsrs$OFFSET = $LAYOUT.byteOffset(groupElement("nmsrs"));
    /** Byte offset of {@code pad}, padding. */
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));
    /**
     * Byte offset of {@code entries}, the entries that follow the header, a flexible array of
     * {@link kvm_msr_entry}.
     */
    public static final long entries$OFFSET = $LAYOUT.byteOffset(groupElement("entries"));

    /**
     * {@return {@code nmsrs}, the number of entries that follow the header}
     *
     * @param struct a {@code struct kvm_msrs}
     */
    public static int nmsrs(MemorySegment struct) {
        return struct.get(JAVA_INT, nmsrs$OFFSET);
    }

    /**
     * Sets {@code nmsrs}, the number of entries that follow the header.
     *
     * @param struct a {@code struct kvm_msrs}
     * @param value the new value
     */
    public static void nmsrs(MemorySegment struct, int value) {
        struct.set(JAVA_INT, nmsrs$OFFSET, value);
    }

    /**
     * {@return entry {@code index} of {@code entries}, as a slice of {@code struct} for
     * {@link kvm_msr_entry}'s accessors}
     *
     * @param struct a {@code struct kvm_msrs}
     * @param index the entry, from 0 to {@code nmsrs - 1}
     * @throws IndexOutOfBoundsException when {@code index} is negative or not below {@code nmsrs}
     */
    public static MemorySegment entry(MemorySegment struct, int index) {
        Objects.checkIndex(index, nmsrs(struct));
        return struct.asSlice(entries$OFFSET + index * kvm_msr_entry.sizeof(), kvm_msr_entry.layout());
    }

    /** {@return {@code sizeof(struct kvm_msrs)} in bytes: the header alone, without entries} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_msrs} header, without entries.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }

    /**
     * Allocates a zeroed {@code struct kvm_msrs} with room for {@code count} entries, and sets
     * {@code nmsrs} to {@code count}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @param count the number of entries
     * @return the struct: the header followed by {@code count} zeroed entries
     * @throws IllegalArgumentException when {@code count} is negative
     */
    public static MemorySegment allocate(SegmentAllocator allocator, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("entry count must not be negative, got " + count);
        }
        MemorySegment struct = allocator.allocate(sizeof() + count * kvm_msr_entry.sizeof(), $LAYOUT.byteAlignment());
        nmsrs(struct, count);
        return struct;
    }
}
