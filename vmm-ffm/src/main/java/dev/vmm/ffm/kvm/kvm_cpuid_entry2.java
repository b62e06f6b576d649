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

    /** {@return the layout of {@code struct kvm_cpuid_entry2}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code function}, the CPUID leaf, the EAX input of the instruction. */
    public static final long function$OFFSET = $LAYOUT.byteOffset(groupElement("function"));
    /**
     * Byte offset of {@code index}, the subleaf, the ECX input, which counts when {@code flags} has
     * {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX}.
     */
    public static final long index$OFFSET = $LAYOUT.byteOffset(groupElement("index"));
    /** Byte offset of {@code flags}, the {@code KVM_CPUID_FLAG_*} bits. */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code eax}, the EAX the guest's CPUID returns for this leaf. */
    public static final long eax$OFFSET = $LAYOUT.byteOffset(groupElement("eax"));
    /** Byte offset of {@code ebx}, the EBX the guest's CPUID returns for this leaf. */
    public static final long ebx$OFFSET = $LAYOUT.byteOffset(groupElement("ebx"));
    /** Byte offset of {@code ecx}, the ECX the guest's CPUID returns for this leaf. */
    public static final long ecx$OFFSET = $LAYOUT.byteOffset(groupElement("ecx"));
    /** Byte offset of {@code edx}, the EDX the guest's CPUID returns for this leaf. */
    public static final long edx$OFFSET = $LAYOUT.byteOffset(groupElement("edx"));
    /** Byte offset of {@code padding}, reserved space, zero. */
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));

    /**
     * {@return {@code function}, the CPUID leaf, the EAX input of the instruction}
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     */
    public static int function(MemorySegment struct) {
        return struct.get(JAVA_INT, function$OFFSET);
    }

    /**
     * Sets {@code function}, the CPUID leaf, the EAX input of the instruction.
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     * @param value the new value
     */
    public static void function(MemorySegment struct, int value) {
        struct.set(JAVA_INT, function$OFFSET, value);
    }

    /**
     * {@return {@code index}, the subleaf, the ECX input, which counts when {@code flags} has
     * {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX}}
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     */
    public static int index(MemorySegment struct) {
        return struct.get(JAVA_INT, index$OFFSET);
    }

    /**
     * Sets {@code index}, the subleaf, the ECX input, which counts when {@code flags} has
     * {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX}.
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     * @param value the new value
     */
    public static void index(MemorySegment struct, int value) {
        struct.set(JAVA_INT, index$OFFSET, value);
    }

    /**
     * {@return {@code flags}, the {@code KVM_CPUID_FLAG_*} bits}
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, the {@code KVM_CPUID_FLAG_*} bits.
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /**
     * {@return {@code eax}, the EAX the guest's CPUID returns for this leaf}
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     */
    public static int eax(MemorySegment struct) {
        return struct.get(JAVA_INT, eax$OFFSET);
    }

    /**
     * Sets {@code eax}, the EAX the guest's CPUID returns for this leaf.
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     * @param value the new value
     */
    public static void eax(MemorySegment struct, int value) {
        struct.set(JAVA_INT, eax$OFFSET, value);
    }

    /**
     * {@return {@code ebx}, the EBX the guest's CPUID returns for this leaf}
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     */
    public static int ebx(MemorySegment struct) {
        return struct.get(JAVA_INT, ebx$OFFSET);
    }

    /**
     * Sets {@code ebx}, the EBX the guest's CPUID returns for this leaf.
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     * @param value the new value
     */
    public static void ebx(MemorySegment struct, int value) {
        struct.set(JAVA_INT, ebx$OFFSET, value);
    }

    /**
     * {@return {@code ecx}, the ECX the guest's CPUID returns for this leaf}
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     */
    public static int ecx(MemorySegment struct) {
        return struct.get(JAVA_INT, ecx$OFFSET);
    }

    /**
     * Sets {@code ecx}, the ECX the guest's CPUID returns for this leaf.
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     * @param value the new value
     */
    public static void ecx(MemorySegment struct, int value) {
        struct.set(JAVA_INT, ecx$OFFSET, value);
    }

    /**
     * {@return {@code edx}, the EDX the guest's CPUID returns for this leaf}
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     */
    public static int edx(MemorySegment struct) {
        return struct.get(JAVA_INT, edx$OFFSET);
    }

    /**
     * Sets {@code edx}, the EDX the guest's CPUID returns for this leaf.
     *
     * @param struct a {@code struct kvm_cpuid_entry2}
     * @param value the new value
     */
    public static void edx(MemorySegment struct, int value) {
        struct.set(JAVA_INT, edx$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_cpuid_entry2)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_cpuid_entry2}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
