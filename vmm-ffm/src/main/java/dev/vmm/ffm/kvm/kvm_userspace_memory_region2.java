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
 * struct kvm_userspace_memory_region2 {
 *     __u32 slot;
 *     __u32 flags;
 *     __u64 guest_phys_addr;
 *     __u64 memory_size;
 *     __u64 userspace_addr;
 *     __u64 guest_memfd_offset;
 *     __u32 guest_memfd;
 *     __u32 pad1;
 *     __u64 pad2[14];
 * };
 * }
 * The argument of {@code KVM_SET_USER_MEMORY_REGION2}: {@link kvm_userspace_memory_region} plus a
 * guest_memfd backing for private memory, used when {@code flags} has {@code KVM_MEM_GUEST_MEMFD}.
 */
public final class kvm_userspace_memory_region2 {
    private kvm_userspace_memory_region2() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"),
            JAVA_LONG.withName("userspace_addr"),
            JAVA_LONG.withName("guest_memfd_offset"),
            JAVA_INT.withName("guest_memfd"),
            JAVA_INT.withName("pad1"),
            MemoryLayout.sequenceLayout(14, JAVA_LONG).withName("pad2")
    ).withName("kvm_userspace_memory_region2");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long slot$OFFSET = $LAYOUT.byteOffset(groupElement("slot"));
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    public static final long guest_phys_addr$OFFSET = $LAYOUT.byteOffset(groupElement("guest_phys_addr"));
    public static final long memory_size$OFFSET = $LAYOUT.byteOffset(groupElement("memory_size"));
    public static final long userspace_addr$OFFSET = $LAYOUT.byteOffset(groupElement("userspace_addr"));
    public static final long guest_memfd_offset$OFFSET = $LAYOUT.byteOffset(groupElement("guest_memfd_offset"));
    public static final long guest_memfd$OFFSET = $LAYOUT.byteOffset(groupElement("guest_memfd"));
    public static final long pad1$OFFSET = $LAYOUT.byteOffset(groupElement("pad1"));
    public static final long pad2$OFFSET = $LAYOUT.byteOffset(groupElement("pad2"));

    public static int slot(MemorySegment struct) {
        return struct.get(JAVA_INT, slot$OFFSET);
    }

    public static void slot(MemorySegment struct, int value) {
        struct.set(JAVA_INT, slot$OFFSET, value);
    }

    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    public static long guest_phys_addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, guest_phys_addr$OFFSET);
    }

    public static void guest_phys_addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, guest_phys_addr$OFFSET, value);
    }

    public static long memory_size(MemorySegment struct) {
        return struct.get(JAVA_LONG, memory_size$OFFSET);
    }

    public static void memory_size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, memory_size$OFFSET, value);
    }

    public static long userspace_addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, userspace_addr$OFFSET);
    }

    public static void userspace_addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, userspace_addr$OFFSET, value);
    }

    public static long guest_memfd_offset(MemorySegment struct) {
        return struct.get(JAVA_LONG, guest_memfd_offset$OFFSET);
    }

    public static void guest_memfd_offset(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, guest_memfd_offset$OFFSET, value);
    }

    public static int guest_memfd(MemorySegment struct) {
        return struct.get(JAVA_INT, guest_memfd$OFFSET);
    }

    public static void guest_memfd(MemorySegment struct, int value) {
        struct.set(JAVA_INT, guest_memfd$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
