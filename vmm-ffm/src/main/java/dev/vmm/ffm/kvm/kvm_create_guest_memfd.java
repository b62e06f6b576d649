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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long size$OFFSET = $LAYOUT.byteOffset(groupElement("size"));
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    public static final long reserved$OFFSET = $LAYOUT.byteOffset(groupElement("reserved"));

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
