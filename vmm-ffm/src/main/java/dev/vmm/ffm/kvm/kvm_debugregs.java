// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_debugregs {
 *     __u64 db[4];
 *     __u64 dr6;
 *     __u64 dr7;
 *     __u64 flags;
 *     __u64 reserved[9];
 * };
 * }
 * The debug registers, for {@code KVM_GET_DEBUGREGS} and {@code KVM_SET_DEBUGREGS}: the breakpoint
 * addresses, status and control.
 */
public final class kvm_debugregs {
    private kvm_debugregs() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("db"),
            JAVA_LONG.withName("dr6"),
            JAVA_LONG.withName("dr7"),
            JAVA_LONG.withName("flags"),
            MemoryLayout.sequenceLayout(9, JAVA_LONG).withName("reserved")
    ).withName("kvm_debugregs");

    /** {@return the layout of {@code struct kvm_debugregs}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code db}, the breakpoint addresses DR0 to DR3. */
    public static final long db$OFFSET = $LAYOUT.byteOffset(groupElement("db"));
    /** Byte offset of {@code dr6}, the debug status register DR6. */
    public static final long dr6$OFFSET = $LAYOUT.byteOffset(groupElement("dr6"));
    /** Byte offset of {@code dr7}, the debug control register DR7. */
    public static final long dr7$OFFSET = $LAYOUT.byteOffset(groupElement("dr7"));
    /** Byte offset of {@code flags}, 0: no flags are defined, and KVM_SET_DEBUGREGS refuses others. */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code reserved}, reserved, zero. */
    public static final long reserved$OFFSET = $LAYOUT.byteOffset(groupElement("reserved"));

    private static final SequenceLayout db$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("db"));

    /**
     * {@return element {@code index} of {@code db}, the breakpoint addresses DR0 to DR3}
     *
     * @param struct a {@code struct kvm_debugregs}
     * @param index the element's index
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code db}
     */
    public static long db(MemorySegment struct, int index) {
        return struct.get(JAVA_LONG, db$OFFSET + Objects.checkIndex(index, db$LAYOUT.elementCount()) * JAVA_LONG.byteSize());
    }

    /**
     * Sets element {@code index} of {@code db}, the breakpoint addresses DR0 to DR3.
     *
     * @param struct a {@code struct kvm_debugregs}
     * @param index the element's index
     * @param value the new value
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code db}
     */
    public static void db(MemorySegment struct, int index, long value) {
        struct.set(JAVA_LONG, db$OFFSET + Objects.checkIndex(index, db$LAYOUT.elementCount()) * JAVA_LONG.byteSize(), value);
    }

    /**
     * {@return {@code dr6}, the debug status register DR6}
     *
     * @param struct a {@code struct kvm_debugregs}
     */
    public static long dr6(MemorySegment struct) {
        return struct.get(JAVA_LONG, dr6$OFFSET);
    }

    /**
     * Sets {@code dr6}, the debug status register DR6.
     *
     * @param struct a {@code struct kvm_debugregs}
     * @param value the new value
     */
    public static void dr6(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, dr6$OFFSET, value);
    }

    /**
     * {@return {@code dr7}, the debug control register DR7}
     *
     * @param struct a {@code struct kvm_debugregs}
     */
    public static long dr7(MemorySegment struct) {
        return struct.get(JAVA_LONG, dr7$OFFSET);
    }

    /**
     * Sets {@code dr7}, the debug control register DR7.
     *
     * @param struct a {@code struct kvm_debugregs}
     * @param value the new value
     */
    public static void dr7(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, dr7$OFFSET, value);
    }

    /**
     * {@return {@code flags}, 0: no flags are defined, and KVM_SET_DEBUGREGS refuses others}
     *
     * @param struct a {@code struct kvm_debugregs}
     */
    public static long flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, 0: no flags are defined, and KVM_SET_DEBUGREGS refuses others.
     *
     * @param struct a {@code struct kvm_debugregs}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, flags$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_debugregs)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_debugregs}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
