// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@snippet lang=c :
 * struct kvm_lapic_state {
 *     char regs[KVM_APIC_REG_SIZE];
 * };
 * }
 * The local APIC's register page, for {@code KVM_GET_LAPIC} and {@code KVM_SET_LAPIC}; register {@code r} is
 * the 32-bit value at offset {@code r} of {@code regs}.
 */
public final class kvm_lapic_state {
    private kvm_lapic_state() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(1024, JAVA_BYTE).withName("regs")
    ).withName("kvm_lapic_state");

    /** {@return the layout of {@code struct kvm_lapic_state}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code regs}, the local APIC's 1 KiB register page. */
    public static final long regs$OFFSET = $LAYOUT.byteOffset(groupElement("regs"));

    private static final SequenceLayout regs$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("regs"));

    /**
     * {@return {@code regs}, the local APIC's 1 KiB register page, as a slice of {@code struct}}
     *
     * @param struct a {@code struct kvm_lapic_state}
     */
    public static MemorySegment regs(MemorySegment struct) {
        return struct.asSlice(regs$OFFSET, regs$LAYOUT.byteSize());
    }

    /** {@return {@code sizeof(struct kvm_lapic_state)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_lapic_state}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
