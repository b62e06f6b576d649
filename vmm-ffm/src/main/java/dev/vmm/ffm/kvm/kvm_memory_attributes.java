package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_memory_attributes {
 *     __u64 address;
 *     __u64 size;
 *     __u64 attributes;
 *     __u64 flags;
 * };
 * }
 * The argument of {@code KVM_SET_MEMORY_ATTRIBUTES}: sets {@code attributes} (e.g.
 * {@code KVM_MEMORY_ATTRIBUTE_PRIVATE}) on the guest physical range {@code [address, address + size)}.
 */
public final class kvm_memory_attributes {
    private kvm_memory_attributes() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("address"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("attributes"),
            JAVA_LONG.withName("flags")
    ).withName("kvm_memory_attributes");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long address$OFFSET = $LAYOUT.byteOffset(groupElement("address"));
    public static final long size$OFFSET = $LAYOUT.byteOffset(groupElement("size"));
    public static final long attributes$OFFSET = $LAYOUT.byteOffset(groupElement("attributes"));
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));

    public static long address(MemorySegment struct) {
        return struct.get(JAVA_LONG, address$OFFSET);
    }

    public static void address(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, address$OFFSET, value);
    }

    public static long size(MemorySegment struct) {
        return struct.get(JAVA_LONG, size$OFFSET);
    }

    public static void size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, size$OFFSET, value);
    }

    public static long attributes(MemorySegment struct) {
        return struct.get(JAVA_LONG, attributes$OFFSET);
    }

    public static void attributes(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, attributes$OFFSET, value);
    }

    public static long flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, flags$OFFSET);
    }

    public static void flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, flags$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
