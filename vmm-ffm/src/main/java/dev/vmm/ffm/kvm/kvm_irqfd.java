package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@snippet lang=c :
 * struct kvm_irqfd {
 *     __u32 fd;
 *     __u32 gsi;
 *     __u32 flags;
 *     __u32 resamplefd;
 *     __u8 pad[16];
 * };
 * }
 * The argument of {@code KVM_IRQFD}: a write to eventfd {@code fd} raises interrupt line {@code gsi}.
 */
public final class kvm_irqfd {
    private kvm_irqfd() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("gsi"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resamplefd"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("pad")
    ).withName("kvm_irqfd");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long fd$OFFSET = $LAYOUT.byteOffset(groupElement("fd"));
    public static final long gsi$OFFSET = $LAYOUT.byteOffset(groupElement("gsi"));
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    public static final long resamplefd$OFFSET = $LAYOUT.byteOffset(groupElement("resamplefd"));
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));

    public static int fd(MemorySegment struct) {
        return struct.get(JAVA_INT, fd$OFFSET);
    }

    public static void fd(MemorySegment struct, int value) {
        struct.set(JAVA_INT, fd$OFFSET, value);
    }

    public static int gsi(MemorySegment struct) {
        return struct.get(JAVA_INT, gsi$OFFSET);
    }

    public static void gsi(MemorySegment struct, int value) {
        struct.set(JAVA_INT, gsi$OFFSET, value);
    }

    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    public static int resamplefd(MemorySegment struct) {
        return struct.get(JAVA_INT, resamplefd$OFFSET);
    }

    public static void resamplefd(MemorySegment struct, int value) {
        struct.set(JAVA_INT, resamplefd$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
