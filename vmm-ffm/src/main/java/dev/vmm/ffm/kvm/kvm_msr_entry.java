// SPDX-License-Identifier: Apache-2.0
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

    /** {@return the layout of {@code struct kvm_msr_entry}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code index}, the MSR's number, the ECX of RDMSR and WRMSR. */
    public static final long index$OFFSET = $LAYOUT.byteOffset(groupElement("index"));
    /** Byte offset of {@code reserved}, reserved space, zero. */
    public static final long reserved$OFFSET = $LAYOUT.byteOffset(groupElement("reserved"));
    /** Byte offset of {@code data}, the MSR's 64-bit value. */
    public static final long data$OFFSET = $LAYOUT.byteOffset(groupElement("data"));

    /**
     * {@return {@code index}, the MSR's number, the ECX of RDMSR and WRMSR}
     *
     * @param struct a {@code struct kvm_msr_entry}
     */
    public static int index(MemorySegment struct) {
        return struct.get(JAVA_INT, index$OFFSET);
    }

    /**
     * Sets {@code index}, the MSR's number, the ECX of RDMSR and WRMSR.
     *
     * @param struct a {@code struct kvm_msr_entry}
     * @param value the new value
     */
    public static void index(MemorySegment struct, int value) {
        struct.set(JAVA_INT, index$OFFSET, value);
    }

    /**
     * {@return {@code data}, the MSR's 64-bit value}
     *
     * @param struct a {@code struct kvm_msr_entry}
     */
    public static long data(MemorySegment struct) {
        return struct.get(JAVA_LONG, data$OFFSET);
    }

    /**
     * Sets {@code data}, the MSR's 64-bit value.
     *
     * @param struct a {@code struct kvm_msr_entry}
     * @param value the new value
     */
    public static void data(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, data$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_msr_entry)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_msr_entry}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
