package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_pre_fault_memory {
 *     __u64 gpa;
 *     __u64 size;
 *     __u64 flags;
 *     __u64 padding[5];
 * };
 * }
 * The argument of {@code KVM_PRE_FAULT_MEMORY}; {@code gpa} and {@code size} are in/out.
 */
public final class kvm_pre_fault_memory {
    private kvm_pre_fault_memory() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("gpa"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("flags"),
            MemoryLayout.sequenceLayout(5, JAVA_LONG).withName("padding")
    ).withName("kvm_pre_fault_memory");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long gpa$OFFSET = $LAYOUT.byteOffset(groupElement("gpa"));
    public static final long size$OFFSET = $LAYOUT.byteOffset(groupElement("size"));
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));

    public static long gpa(MemorySegment struct) {
        return struct.get(JAVA_LONG, gpa$OFFSET);
    }

    public static void gpa(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, gpa$OFFSET, value);
    }

    public static long size(MemorySegment struct) {
        return struct.get(JAVA_LONG, size$OFFSET);
    }

    public static void size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, size$OFFSET, value);
    }

    public static long flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, flags$OFFSET);
    }

    public static void flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, flags$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
