package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@snippet lang=c :
 * struct kvm_mp_state {
 *     __u32 mp_state;
 * };
 * }
 * The argument of {@code KVM_GET_MP_STATE} and {@code KVM_SET_MP_STATE}: one of {@code KVM_MP_STATE_*}.
 */
public final class kvm_mp_state {
    private kvm_mp_state() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("mp_state")
    ).withName("kvm_mp_state");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long mp_state$OFFSET = $LAYOUT.byteOffset(groupElement("mp_state"));

    public static int mp_state(MemorySegment struct) {
        return struct.get(JAVA_INT, mp_state$OFFSET);
    }

    public static void mp_state(MemorySegment struct, int value) {
        struct.set(JAVA_INT, mp_state$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
