package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_ioeventfd {
 *     __u64 datamatch;
 *     __u64 addr;
 *     __u32 len;
 *     __s32 fd;
 *     __u32 flags;
 *     __u8 pad[36];
 * };
 * }
 * The argument of {@code KVM_IOEVENTFD}: a guest write of {@code len} bytes to {@code addr} (port I/O when
 * {@code flags} has {@code KVM_IOEVENTFD_FLAG_PIO}) signals eventfd {@code fd} instead of exiting to user space.
 */
public final class kvm_ioeventfd {
    private kvm_ioeventfd() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("datamatch"),
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(36, JAVA_BYTE).withName("pad")
    ).withName("kvm_ioeventfd");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long datamatch$OFFSET = $LAYOUT.byteOffset(groupElement("datamatch"));
    public static final long addr$OFFSET = $LAYOUT.byteOffset(groupElement("addr"));
    public static final long len$OFFSET = $LAYOUT.byteOffset(groupElement("len"));
    public static final long fd$OFFSET = $LAYOUT.byteOffset(groupElement("fd"));
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));

    public static long datamatch(MemorySegment struct) {
        return struct.get(JAVA_LONG, datamatch$OFFSET);
    }

    public static void datamatch(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, datamatch$OFFSET, value);
    }

    public static long addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, addr$OFFSET);
    }

    public static void addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, addr$OFFSET, value);
    }

    public static int len(MemorySegment struct) {
        return struct.get(JAVA_INT, len$OFFSET);
    }

    public static void len(MemorySegment struct, int value) {
        struct.set(JAVA_INT, len$OFFSET, value);
    }

    public static int fd(MemorySegment struct) {
        return struct.get(JAVA_INT, fd$OFFSET);
    }

    public static void fd(MemorySegment struct, int value) {
        struct.set(JAVA_INT, fd$OFFSET, value);
    }

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
