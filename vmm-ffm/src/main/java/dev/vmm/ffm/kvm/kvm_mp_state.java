// SPDX-License-Identifier: Apache-2.0
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

    /** {@return the layout of {@code struct kvm_mp_state}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code mp_state}, the vCPU's multiprocessing state, a {@code KVM_MP_STATE_*} constant.
     */
    public static final long mp_state$OFFSET = $LAYOUT.byteOffset(groupElement("mp_state"));

    /**
     * {@return {@code mp_state}, the vCPU's multiprocessing state, a {@code KVM_MP_STATE_*} constant}
     *
     * @param struct a {@code struct kvm_mp_state}
     */
    public static int mp_state(MemorySegment struct) {
        return struct.get(JAVA_INT, mp_state$OFFSET);
    }

    /**
     * Sets {@code mp_state}, the vCPU's multiprocessing state, a {@code KVM_MP_STATE_*} constant.
     *
     * @param struct a {@code struct kvm_mp_state}
     * @param value the new value
     */
    public static void mp_state(MemorySegment struct, int value) {
        struct.set(JAVA_INT, mp_state$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_mp_state)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_mp_state}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
