// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_xcrs {
 *     __u32 nr_xcrs;
 *     __u32 flags;
 *     struct kvm_xcr xcrs[KVM_MAX_XCRS];
 *     __u64 padding[16];
 * };
 * }
 * The extended control registers, for {@code KVM_GET_XCRS} and {@code KVM_SET_XCRS}: {@code nr_xcrs} entries
 * of {@code xcrs} (at most {@code KVM_MAX_XCRS}, 16) are used; in practice only XCR0, the XSAVE feature
 * mask.
 */
public final class kvm_xcrs {
    private kvm_xcrs() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nr_xcrs"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(16, kvm_xcr.layout()).withName("xcrs"),
            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("padding")
    ).withName("kvm_xcrs");

    /** {@return the layout of {@code struct kvm_xcrs}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code nr_xcrs}, the number of entries of {@code xcrs} in use. */
    public static final long nr_xcrs$OFFSET = $LAYOUT.byteOffset(groupElement("nr_xcrs"));
    /** Byte offset of {@code flags}, 0: no flags are defined. */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code xcrs}, the registers, {@link kvm_xcr} entries. */
    public static final long xcrs$OFFSET = $LAYOUT.byteOffset(groupElement("xcrs"));
    /** Byte offset of {@code padding}, reserved, zero. */
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));

    /**
     * {@return {@code nr_xcrs}, the number of entries of {@code xcrs} in use}
     *
     * @param struct a {@code struct kvm_xcrs}
     */
    public static int nr_xcrs(MemorySegment struct) {
        return struct.get(JAVA_INT, nr_xcrs$OFFSET);
    }

    /**
     * Sets {@code nr_xcrs}, the number of entries of {@code xcrs} in use.
     *
     * @param struct a {@code struct kvm_xcrs}
     * @param value the new value
     */
    public static void nr_xcrs(MemorySegment struct, int value) {
        struct.set(JAVA_INT, nr_xcrs$OFFSET, value);
    }

    /**
     * {@return {@code flags}, 0: no flags are defined}
     *
     * @param struct a {@code struct kvm_xcrs}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, 0: no flags are defined.
     *
     * @param struct a {@code struct kvm_xcrs}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /**
     * {@return element {@code index} of {@code xcrs}, the registers, {@link kvm_xcr} entries, as a slice of
     * {@code struct} for {@link kvm_xcr}'s accessors}
     *
     * @param struct a {@code struct kvm_xcrs}
     * @param index the element's index, 0 to 15
     * @throws IndexOutOfBoundsException when {@code index} is negative or not below 16
     */
    public static MemorySegment xcrs(MemorySegment struct, int index) {
        return struct.asSlice(xcrs$OFFSET + Objects.checkIndex(index, 16) * kvm_xcr.sizeof(), kvm_xcr.layout());
    }

    /** {@return {@code sizeof(struct kvm_xcrs)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_xcrs}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
