// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@snippet lang=c :
 * struct kvm_xsave {
 *     __u32 region[1024];
 *     __u32 extra[];
 * };
 * }
 * The vCPU's XSAVE area (x87, SSE, AVX and the other enabled state components, in the layout of the host's
 * CPUID leaf 0xD), for {@code KVM_GET_XSAVE}, {@code KVM_GET_XSAVE2} and {@code KVM_SET_XSAVE}. The struct
 * is 4 KiB; {@code KVM_GET_XSAVE2} and {@code KVM_SET_XSAVE} use as many bytes as
 * {@code KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2)} returns on the VM fd, at least 4 KiB, the rest in
 * {@code extra}.
 */
public final class kvm_xsave {
    private kvm_xsave() {}

    // extra is a flexible array member: a zero-length sequence keeps sizeof() equal to C's.
    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(1024, JAVA_INT).withName("region"),
            MemoryLayout.sequenceLayout(0, JAVA_INT).withName("extra")
    ).withName("kvm_xsave");

    /** {@return the layout of {@code struct kvm_xsave}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code region}, the first 4 KiB of the XSAVE area, as 32-bit words. */
    public static final long region$OFFSET = $LAYOUT.byteOffset(groupElement("region"));
    /** Byte offset of {@code extra}, the rest of an XSAVE area larger than 4 KiB, a flexible array. */
    public static final long extra$OFFSET = $LAYOUT.byteOffset(groupElement("extra"));

    private static final SequenceLayout region$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("region"));

    /**
     * {@return element {@code index} of {@code region}, the first 4 KiB of the XSAVE area, as 32-bit words}
     *
     * @param struct a {@code struct kvm_xsave}
     * @param index the element's index
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code region}
     */
    public static int region(MemorySegment struct, int index) {
        return struct.get(JAVA_INT, region$OFFSET + Objects.checkIndex(index, region$LAYOUT.elementCount()) * JAVA_INT.byteSize());
    }

    /**
     * Sets element {@code index} of {@code region}, the first 4 KiB of the XSAVE area, as 32-bit words.
     *
     * @param struct a {@code struct kvm_xsave}
     * @param index the element's index
     * @param value the new value
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code region}
     */
    public static void region(MemorySegment struct, int index, int value) {
        struct.set(JAVA_INT, region$OFFSET + Objects.checkIndex(index, region$LAYOUT.elementCount()) * JAVA_INT.byteSize(), value);
    }

    /** {@return {@code sizeof(struct kvm_xsave)} in bytes: the fixed part, 4 KiB} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_xsave}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }

    /**
     * Allocates a zeroed {@code struct kvm_xsave} of {@code size} bytes, for the size
     * {@code KVM_CAP_XSAVE2} reports.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @param size the size in bytes, at least {@link #sizeof()} and a multiple of 4
     * @return the struct, {@code size} bytes
     * @throws IllegalArgumentException when {@code size} is below {@link #sizeof()} or not a multiple of 4
     */
    public static MemorySegment allocate(SegmentAllocator allocator, long size) {
        if (size < sizeof() || size % JAVA_INT.byteSize() != 0) {
            throw new IllegalArgumentException("An XSAVE area is a multiple of 4 bytes and at least " + sizeof() + ", not " + size + ".");
        }
        return allocator.allocate(size, $LAYOUT.byteAlignment());
    }
}
