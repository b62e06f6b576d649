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
 * struct kvm_cpuid2 {
 *     __u32 nent;
 *     __u32 padding;
 *     struct kvm_cpuid_entry2 entries[];
 * };
 * }
 * The argument of {@code KVM_GET_SUPPORTED_CPUID}, {@code KVM_GET_CPUID2} and {@code KVM_SET_CPUID2}:
 * a header followed by {@code nent} {@link kvm_cpuid_entry2} elements.
 */
public final class kvm_cpuid2 {
    private kvm_cpuid2() {}

    // entries is a flexible array member: a zero-length sequence keeps sizeof() equal to C's.
    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nent"),
            JAVA_INT.withName("padding"),
            MemoryLayout.sequenceLayout(0, kvm_cpuid_entry2.layout()).withName("entries")
    ).withName("kvm_cpuid2");

    /** {@return the layout of {@code struct kvm_cpuid2}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code nent}, the number of entries: on input the room in {@code entries}, on output (of
     * the get ioctls) how many the kernel wrote.
     */
    public static final long nent$OFFSET = $LAYOUT.byteOffset(groupElement("nent"));
    /** Byte offset of {@code padding}, padding. */
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));
    /**
     * Byte offset of {@code entries}, the entries that follow the header, a flexible array of
     * {@link kvm_cpuid_entry2}.
     */
    public static final long entries$OFFSET = $LAYOUT.byteOffset(groupElement("entries"));

    /**
     * {@return {@code nent}, the number of entries: on input the room in {@code entries}, on output (of the
     * get ioctls) how many the kernel wrote}
     *
     * @param struct a {@code struct kvm_cpuid2}
     */
    public static int nent(MemorySegment struct) {
        return struct.get(JAVA_INT, nent$OFFSET);
    }

    /**
     * Sets {@code nent}, the number of entries: on input the room in {@code entries}, on output (of the get
     * ioctls) how many the kernel wrote.
     *
     * @param struct a {@code struct kvm_cpuid2}
     * @param value the new value
     */
    public static void nent(MemorySegment struct, int value) {
        struct.set(JAVA_INT, nent$OFFSET, value);
    }

    /**
     * {@return entry {@code index} of {@code entries}, as a slice of {@code struct} for
     * {@link kvm_cpuid_entry2}'s accessors}
     *
     * @param struct a {@code struct kvm_cpuid2}
     * @param index the entry, from 0 to {@code nent - 1}
     * @throws IndexOutOfBoundsException when {@code index} is negative or not below {@code nent}
     */
    public static MemorySegment entry(MemorySegment struct, int index) {
        Objects.checkIndex(index, nent(struct));
        return struct.asSlice(entries$OFFSET + index * kvm_cpuid_entry2.sizeof(), kvm_cpuid_entry2.layout());
    }

    /** {@return {@code sizeof(struct kvm_cpuid2)} in bytes: the header alone, without entries} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_cpuid2} header, without entries.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }

    /**
     * Allocates a zeroed {@code struct kvm_cpuid2} with room for {@code count} entries, and sets
     * {@code nent} to {@code count}.
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
        MemorySegment struct = allocator.allocate(sizeof() + count * kvm_cpuid_entry2.sizeof(), $LAYOUT.byteAlignment());
        nent(struct, count);
        return struct;
    }
}
