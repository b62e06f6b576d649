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
 * struct kvm_irq_level {
 *     union {
 *         __u32 irq;
 *         __s32 status;
 *     };
 *     __u32 level;
 * };
 * }
 * The argument of {@code KVM_IRQ_LINE} and {@code KVM_IRQ_LINE_STATUS}: sets line {@code irq} to
 * {@code level}; {@code KVM_IRQ_LINE_STATUS} overwrites it with the delivery {@code status}.
 */
public final class kvm_irq_level {
    private kvm_irq_level() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.unionLayout(
                    JAVA_INT.withName("irq"),
                    JAVA_INT.withName("status")),
            JAVA_INT.withName("level")
    ).withName("kvm_irq_level");

    /** {@return the layout of {@code struct kvm_irq_level}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    // Member 0 is the anonymous union.
    /** Byte offset of {@code irq}, the interrupt line (GSI) to set, on input. */
    public static final long irq$OFFSET = $LAYOUT.byteOffset(groupElement(0), groupElement("irq"));
    /**
     * Byte offset of {@code status}, what {@code KVM_IRQ_LINE_STATUS} writes back over {@code irq}: the
     * number of CPUs the interrupt reached, 0 when it was coalesced with one still pending, negative when it
     * was masked or ignored.
     */
    public static final long status$OFFSET = $LAYOUT.byteOffset(groupElement(0), groupElement("status"));
    /** Byte offset of {@code level}, the line's new level: 1 raises it, 0 lowers it. */
    public static final long level$OFFSET = $LAYOUT.byteOffset(groupElement("level"));

    /**
     * {@return {@code irq}, the interrupt line (GSI) to set, on input}
     *
     * @param struct a {@code struct kvm_irq_level}
     */
    public static int irq(MemorySegment struct) {
        return struct.get(JAVA_INT, irq$OFFSET);
    }

    /**
     * Sets {@code irq}, the interrupt line (GSI) to set, on input.
     *
     * @param struct a {@code struct kvm_irq_level}
     * @param value the new value
     */
    public static void irq(MemorySegment struct, int value) {
        struct.set(JAVA_INT, irq$OFFSET, value);
    }

    /**
     * {@return {@code status}, what {@code KVM_IRQ_LINE_STATUS} writes back over {@code irq}: the number of
     * CPUs the interrupt reached, 0 when it was coalesced with one still pending, negative when it was masked
     * or ignored}
     *
     * @param struct a {@code struct kvm_irq_level}
     */
    public static int status(MemorySegment struct) {
        return struct.get(JAVA_INT, status$OFFSET);
    }

    /**
     * Sets {@code status}, what {@code KVM_IRQ_LINE_STATUS} writes back over {@code irq}: the number of CPUs
     * the interrupt reached, 0 when it was coalesced with one still pending, negative when it was masked or
     * ignored.
     *
     * @param struct a {@code struct kvm_irq_level}
     * @param value the new value
     */
    public static void status(MemorySegment struct, int value) {
        struct.set(JAVA_INT, status$OFFSET, value);
    }

    /**
     * {@return {@code level}, the line's new level: 1 raises it, 0 lowers it}
     *
     * @param struct a {@code struct kvm_irq_level}
     */
    public static int level(MemorySegment struct) {
        return struct.get(JAVA_INT, level$OFFSET);
    }

    /**
     * Sets {@code level}, the line's new level: 1 raises it, 0 lowers it.
     *
     * @param struct a {@code struct kvm_irq_level}
     * @param value the new value
     */
    public static void level(MemorySegment struct, int value) {
        struct.set(JAVA_INT, level$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_irq_level)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_irq_level}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
