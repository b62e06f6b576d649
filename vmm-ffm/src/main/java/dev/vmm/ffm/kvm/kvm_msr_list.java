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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long nmsrs$OFFSET = $LAYOUT.byteOffset(groupElement("nmsrs"));
    public static final long indices$OFFSET = $LAYOUT.byteOffset(groupElement("indices"));

    public static int nmsrs(MemorySegment struct) {
        return struct.get(JAVA_INT, nmsrs$OFFSET);
    }

    public static void nmsrs(MemorySegment struct, int value) {
        struct.set(JAVA_INT, nmsrs$OFFSET, value);
    }

    /** @throws IndexOutOfBoundsException when {@code index} is negative or not below {@code nmsrs} */
    public static int indices(MemorySegment struct, int index) {
        return struct.get(JAVA_INT, indices$OFFSET + Objects.checkIndex(index, nmsrs(struct)) * JAVA_INT.byteSize());
    }

    /** @throws IndexOutOfBoundsException when {@code index} is negative or not below {@code nmsrs} */
    public static void indices(MemorySegment struct, int index, int value) {
        struct.set(JAVA_INT, indices$OFFSET + Objects.checkIndex(index, nmsrs(struct)) * JAVA_INT.byteSize(), value);
    }

    /** The header alone, without indices. */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed header without indices. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }

    /**
     * A zeroed struct with room for {@code count} indices and {@code nmsrs} set to {@code count}.
     *
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
