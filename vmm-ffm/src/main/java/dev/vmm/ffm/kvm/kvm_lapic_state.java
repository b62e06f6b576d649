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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long regs$OFFSET = $LAYOUT.byteOffset(groupElement("regs"));

    private static final SequenceLayout regs$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("regs"));

    /** The {@code regs} array, as a slice of {@code struct}. */
    public static MemorySegment regs(MemorySegment struct) {
        return struct.asSlice(regs$OFFSET, regs$LAYOUT.byteSize());
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
