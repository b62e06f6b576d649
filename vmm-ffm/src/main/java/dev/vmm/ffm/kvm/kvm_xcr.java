// SPDX-License-Identifier: Apache-2.0
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
 * struct kvm_xcr {
 *     __u32 xcr;
 *     __u32 reserved;
 *     __u64 value;
 * };
 * }
 * One extended control register, an entry of {@link kvm_xcrs}.
 */
public final class kvm_xcr {
    private kvm_xcr() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("xcr"),
            JAVA_INT.withName("reserved"),
            JAVA_LONG.withName("value")
    ).withName("kvm_xcr");

    /** {@return the layout of {@code struct kvm_xcr}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code xcr}, the register number, 0 for XCR0. */
    public static final long xcr$OFFSET = $LAYOUT.byteOffset(groupElement("xcr"));
    /** Byte offset of {@code reserved}, reserved, zero. */
    public static final long reserved$OFFSET = $LAYOUT.byteOffset(groupElement("reserved"));
    /** Byte offset of {@code value}, the register's value. */
    public static final long value$OFFSET = $LAYOUT.byteOffset(groupElement("value"));

    /**
     * {@return {@code xcr}, the register number, 0 for XCR0}
     *
     * @param struct a {@code struct kvm_xcr}
     */
    public static int xcr(MemorySegment struct) {
        return struct.get(JAVA_INT, xcr$OFFSET);
    }

    /**
     * Sets {@code xcr}, the register number, 0 for XCR0.
     *
     * @param struct a {@code struct kvm_xcr}
     * @param value the new value
     */
    public static void xcr(MemorySegment struct, int value) {
        struct.set(JAVA_INT, xcr$OFFSET, value);
    }

    /**
     * {@return {@code value}, the register's value}
     *
     * @param struct a {@code struct kvm_xcr}
     */
    public static long value(MemorySegment struct) {
        return struct.get(JAVA_LONG, value$OFFSET);
    }

    /**
     * Sets {@code value}, the register's value.
     *
     * @param struct a {@code struct kvm_xcr}
     * @param value the new value
     */
    public static void value(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, value$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_xcr)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_xcr}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
