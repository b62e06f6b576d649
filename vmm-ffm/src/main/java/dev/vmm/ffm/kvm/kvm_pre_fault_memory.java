// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_pre_fault_memory {
 *     __u64 gpa;
 *     __u64 size;
 *     __u64 flags;
 *     __u64 padding[5];
 * };
 * }
 * The argument of {@code KVM_PRE_FAULT_MEMORY}; {@code gpa} and {@code size} are in/out.
 */
public final class kvm_pre_fault_memory {
    private kvm_pre_fault_memory() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("gpa"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("flags"),
            MemoryLayout.sequenceLayout(5, JAVA_LONG).withName("padding")
    ).withName("kvm_pre_fault_memory");

    /** {@return the layout of {@code struct kvm_pre_fault_memory}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code gpa}, the guest-physical start of what is still to pre-fault; the kernel advances
     * it as it goes.
     */
    public static final long gpa$OFFSET = $LAYOUT.byteOffset(groupElement("gpa"));
    /**
     * Byte offset of {@code size}, the bytes still to pre-fault; the kernel lowers it as it goes, to 0 when
     * done.
     */
    public static final long size$OFFSET = $LAYOUT.byteOffset(groupElement("size"));
    /** Byte offset of {@code flags}, flags, 0. */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code padding}, reserved space, zero. */
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));

    /**
     * {@return {@code gpa}, the guest-physical start of what is still to pre-fault; the kernel advances it as
     * it goes}
     *
     * @param struct a {@code struct kvm_pre_fault_memory}
     */
    public static long gpa(MemorySegment struct) {
        return struct.get(JAVA_LONG, gpa$OFFSET);
    }

    /**
     * Sets {@code gpa}, the guest-physical start of what is still to pre-fault; the kernel advances it as it
     * goes.
     *
     * @param struct a {@code struct kvm_pre_fault_memory}
     * @param value the new value
     */
    public static void gpa(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, gpa$OFFSET, value);
    }

    /**
     * {@return {@code size}, the bytes still to pre-fault; the kernel lowers it as it goes, to 0 when done}
     *
     * @param struct a {@code struct kvm_pre_fault_memory}
     */
    public static long size(MemorySegment struct) {
        return struct.get(JAVA_LONG, size$OFFSET);
    }

    /**
     * Sets {@code size}, the bytes still to pre-fault; the kernel lowers it as it goes, to 0 when done.
     *
     * @param struct a {@code struct kvm_pre_fault_memory}
     * @param value the new value
     */
    public static void size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, size$OFFSET, value);
    }

    /**
     * {@return {@code flags}, flags, 0}
     *
     * @param struct a {@code struct kvm_pre_fault_memory}
     */
    public static long flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, flags, 0.
     *
     * @param struct a {@code struct kvm_pre_fault_memory}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, flags$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_pre_fault_memory)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_pre_fault_memory}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
