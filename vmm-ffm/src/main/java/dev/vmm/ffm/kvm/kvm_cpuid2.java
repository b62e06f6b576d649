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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long nent$OFFSET = $LAYOUT.byteOffset(groupElement("nent"));
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));
    public static final long entries$OFFSET = $LAYOUT.byteOffset(groupElement("entries"));

    public static int nent(MemorySegment struct) {
        return struct.get(JAVA_INT, nent$OFFSET);
    }

    public static void nent(MemorySegment struct, int value) {
        struct.set(JAVA_INT, nent$OFFSET, value);
    }

    /**
     * Entry {@code index}, as a slice for use with {@link kvm_cpuid_entry2}'s accessors.
     *
     * @throws IndexOutOfBoundsException when {@code index} is negative or not below {@code nent}
     */
    public static MemorySegment entry(MemorySegment struct, int index) {
        Objects.checkIndex(index, nent(struct));
        return struct.asSlice(entries$OFFSET + index * kvm_cpuid_entry2.sizeof(), kvm_cpuid_entry2.layout());
    }

    /** The header alone, without entries. */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed header without entries. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }

    /**
     * A zeroed struct with room for {@code count} entries and {@code nent} set to {@code count}.
     *
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
