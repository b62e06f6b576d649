package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_enable_cap {
 *     __u32 cap;
 *     __u32 flags;
 *     __u64 args[4];
 *     __u8 pad[64];
 * };
 * }
 * The argument of {@code KVM_ENABLE_CAP}.
 */
public final class kvm_enable_cap {
    private kvm_enable_cap() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("cap"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("args"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("pad")
    ).withName("kvm_enable_cap");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long cap$OFFSET = $LAYOUT.byteOffset(groupElement("cap"));
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    public static final long args$OFFSET = $LAYOUT.byteOffset(groupElement("args"));
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));

    private static final SequenceLayout args$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("args"));

    public static int cap(MemorySegment struct) {
        return struct.get(JAVA_INT, cap$OFFSET);
    }

    public static void cap(MemorySegment struct, int value) {
        struct.set(JAVA_INT, cap$OFFSET, value);
    }

    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /** @throws IndexOutOfBoundsException when {@code index} is outside {@code args} */
    public static long args(MemorySegment struct, int index) {
        return struct.get(JAVA_LONG, args$OFFSET + Objects.checkIndex(index, args$LAYOUT.elementCount()) * JAVA_LONG.byteSize());
    }

    /** @throws IndexOutOfBoundsException when {@code index} is outside {@code args} */
    public static void args(MemorySegment struct, int index, long value) {
        struct.set(JAVA_LONG, args$OFFSET + Objects.checkIndex(index, args$LAYOUT.elementCount()) * JAVA_LONG.byteSize(), value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
