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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    // Member 0 is the anonymous union.
    public static final long irq$OFFSET = $LAYOUT.byteOffset(groupElement(0), groupElement("irq"));
    public static final long status$OFFSET = $LAYOUT.byteOffset(groupElement(0), groupElement("status"));
    public static final long level$OFFSET = $LAYOUT.byteOffset(groupElement("level"));

    public static int irq(MemorySegment struct) {
        return struct.get(JAVA_INT, irq$OFFSET);
    }

    public static void irq(MemorySegment struct, int value) {
        struct.set(JAVA_INT, irq$OFFSET, value);
    }

    public static int status(MemorySegment struct) {
        return struct.get(JAVA_INT, status$OFFSET);
    }

    public static void status(MemorySegment struct, int value) {
        struct.set(JAVA_INT, status$OFFSET, value);
    }

    public static int level(MemorySegment struct) {
        return struct.get(JAVA_INT, level$OFFSET);
    }

    public static void level(MemorySegment struct, int value) {
        struct.set(JAVA_INT, level$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
