// SPDX-License-Identifier: Apache-2.0
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

    /** {@return the layout of {@code struct kvm_enable_cap}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code cap}, the capability to enable, a {@code KVM_CAP_*} constant. */
    public static final long cap$OFFSET = $LAYOUT.byteOffset(groupElement("cap"));
    /** Byte offset of {@code flags}, flags, 0 unless the capability defines some. */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /**
     * Byte offset of {@code args}, the capability's arguments, four words whose meaning the capability
     * defines.
     */
    public static final long args$OFFSET = $LAYOUT.byteOffset(groupElement("args"));
    /** Byte offset of {@code pad}, reserved space, zero. */
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));

    private static final SequenceLayout args$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("args"));

    /**
     * {@return {@code cap}, the capability to enable, a {@code KVM_CAP_*} constant}
     *
     * @param struct a {@code struct kvm_enable_cap}
     */
    public static int cap(MemorySegment struct) {
        return struct.get(JAVA_INT, cap$OFFSET);
    }

    /**
     * Sets {@code cap}, the capability to enable, a {@code KVM_CAP_*} constant.
     *
     * @param struct a {@code struct kvm_enable_cap}
     * @param value the new value
     */
    public static void cap(MemorySegment struct, int value) {
        struct.set(JAVA_INT, cap$OFFSET, value);
    }

    /**
     * {@return {@code flags}, flags, 0 unless the capability defines some}
     *
     * @param struct a {@code struct kvm_enable_cap}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, flags, 0 unless the capability defines some.
     *
     * @param struct a {@code struct kvm_enable_cap}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /**
     * {@return element {@code index} of {@code args}, the capability's arguments, four words whose meaning
     * the capability defines}
     *
     * @param struct a {@code struct kvm_enable_cap}
     * @param index the element's index
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code args}
     */
    public static long args(MemorySegment struct, int index) {
        return struct.get(JAVA_LONG, args$OFFSET + Objects.checkIndex(index, args$LAYOUT.elementCount()) * JAVA_LONG.byteSize());
    }

    /**
     * Sets element {@code index} of {@code args}, the capability's arguments, four words whose meaning the
     * capability defines.
     *
     * @param struct a {@code struct kvm_enable_cap}
     * @param index the element's index
     * @param value the new value
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code args}
     */
    public static void args(MemorySegment struct, int index, long value) {
        struct.set(JAVA_LONG, args$OFFSET + Objects.checkIndex(index, args$LAYOUT.elementCount()) * JAVA_LONG.byteSize(), value);
    }

    /** {@return {@code sizeof(struct kvm_enable_cap)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_enable_cap}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
