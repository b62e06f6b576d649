package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@snippet lang=c :
 * struct kvm_dtable {
 *     __u64 base;
 *     __u16 limit;
 *     __u16 padding[3];
 * };
 * }
 * A descriptor table register (GDTR or IDTR), nested in {@link kvm_sregs}.
 */
public final class kvm_dtable {
    private kvm_dtable() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"),
            JAVA_SHORT.withName("limit"),
            MemoryLayout.sequenceLayout(3, JAVA_SHORT).withName("padding")
    ).withName("kvm_dtable");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long base$OFFSET = $LAYOUT.byteOffset(groupElement("base"));
    public static final long limit$OFFSET = $LAYOUT.byteOffset(groupElement("limit"));
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));

    public static long base(MemorySegment struct) {
        return struct.get(JAVA_LONG, base$OFFSET);
    }

    public static void base(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, base$OFFSET, value);
    }

    public static short limit(MemorySegment struct) {
        return struct.get(JAVA_SHORT, limit$OFFSET);
    }

    public static void limit(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, limit$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
