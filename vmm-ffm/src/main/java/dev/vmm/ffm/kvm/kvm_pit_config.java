package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@snippet lang=c :
 * struct kvm_pit_config {
 *     __u32 flags;
 *     __u32 pad[15];
 * };
 * }
 * The argument of {@code KVM_CREATE_PIT2}.
 */
public final class kvm_pit_config {
    private kvm_pit_config() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(15, JAVA_INT).withName("pad")
    ).withName("kvm_pit_config");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));

    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
