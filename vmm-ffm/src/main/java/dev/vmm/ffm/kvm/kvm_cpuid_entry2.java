package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@snippet lang=c :
 * struct kvm_cpuid_entry2 {
 *     __u32 function;
 *     __u32 index;
 *     __u32 flags;
 *     __u32 eax;
 *     __u32 ebx;
 *     __u32 ecx;
 *     __u32 edx;
 *     __u32 padding[3];
 * };
 * }
 * One CPUID leaf (and subleaf, when {@code flags} has {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX}), an element of
 * {@link kvm_cpuid2}.
 */
public final class kvm_cpuid_entry2 {
    private kvm_cpuid_entry2() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("function"),
            JAVA_INT.withName("index"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"),
            JAVA_INT.withName("ebx"),
            JAVA_INT.withName("ecx"),
            JAVA_INT.withName("edx"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("padding")
    ).withName("kvm_cpuid_entry2");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long function$OFFSET = $LAYOUT.byteOffset(groupElement("function"));
    public static final long index$OFFSET = $LAYOUT.byteOffset(groupElement("index"));
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    public static final long eax$OFFSET = $LAYOUT.byteOffset(groupElement("eax"));
    public static final long ebx$OFFSET = $LAYOUT.byteOffset(groupElement("ebx"));
    public static final long ecx$OFFSET = $LAYOUT.byteOffset(groupElement("ecx"));
    public static final long edx$OFFSET = $LAYOUT.byteOffset(groupElement("edx"));
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));

    public static int function(MemorySegment struct) {
        return struct.get(JAVA_INT, function$OFFSET);
    }

    public static void function(MemorySegment struct, int value) {
        struct.set(JAVA_INT, function$OFFSET, value);
    }

    public static int index(MemorySegment struct) {
        return struct.get(JAVA_INT, index$OFFSET);
    }

    public static void index(MemorySegment struct, int value) {
        struct.set(JAVA_INT, index$OFFSET, value);
    }

    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    public static int eax(MemorySegment struct) {
        return struct.get(JAVA_INT, eax$OFFSET);
    }

    public static void eax(MemorySegment struct, int value) {
        struct.set(JAVA_INT, eax$OFFSET, value);
    }

    public static int ebx(MemorySegment struct) {
        return struct.get(JAVA_INT, ebx$OFFSET);
    }

    public static void ebx(MemorySegment struct, int value) {
        struct.set(JAVA_INT, ebx$OFFSET, value);
    }

    public static int ecx(MemorySegment struct) {
        return struct.get(JAVA_INT, ecx$OFFSET);
    }

    public static void ecx(MemorySegment struct, int value) {
        struct.set(JAVA_INT, ecx$OFFSET, value);
    }

    public static int edx(MemorySegment struct) {
        return struct.get(JAVA_INT, edx$OFFSET);
    }

    public static void edx(MemorySegment struct, int value) {
        struct.set(JAVA_INT, edx$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
