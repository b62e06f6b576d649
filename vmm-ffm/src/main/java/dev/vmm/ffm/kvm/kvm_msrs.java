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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long nmsrs$OFFSET = $LAYOUT.byteOffset(groupElement("nmsrs"));
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));
    public static final long entries$OFFSET = $LAYOUT.byteOffset(groupElement("entries"));

    public static int nmsrs(MemorySegment struct) {
        return struct.get(JAVA_INT, nmsrs$OFFSET);
    }

    public static void nmsrs(MemorySegment struct, int value) {
        struct.set(JAVA_INT, nmsrs$OFFSET, value);
    }

    /**
     * Entry {@code index}, as a slice for use with {@link kvm_msr_entry}'s accessors.
     *
     * @throws IndexOutOfBoundsException when {@code index} is negative or not below {@code nmsrs}
     */
    public static MemorySegment entry(MemorySegment struct, int index) {
        Objects.checkIndex(index, nmsrs(struct));
        return struct.asSlice(entries$OFFSET + index * kvm_msr_entry.sizeof(), kvm_msr_entry.layout());
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
     * A zeroed struct with room for {@code count} entries and {@code nmsrs} set to {@code count}.
     *
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
