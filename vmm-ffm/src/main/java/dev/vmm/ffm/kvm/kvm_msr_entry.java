package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_msr_entry {
 *     __u32 index;
 *     __u32 reserved;
 *     __u64 data;
 * };
 * }
 * One model-specific register, an element of {@link kvm_msrs}.
 */
public final class kvm_msr_entry {
    private kvm_msr_entry() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("index"),
            JAVA_INT.withName("reserved"),
            JAVA_LONG.withName("data")
    ).withName("kvm_msr_entry");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long index$OFFSET = $LAYOUT.byteOffset(groupElement("index"));
    public static final long reserved$OFFSET = $LAYOUT.byteOffset(groupElement("reserved"));
    public static final long data$OFFSET = $LAYOUT.byteOffset(groupElement("data"));

    public static int index(MemorySegment struct) {
        return struct.get(JAVA_INT, index$OFFSET);
    }

    public static void index(MemorySegment struct, int value) {
        struct.set(JAVA_INT, index$OFFSET, value);
    }

    public static long data(MemorySegment struct) {
        return struct.get(JAVA_LONG, data$OFFSET);
    }

    public static void data(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, data$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
