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
 * struct kvm_pit_config {
 *     __u32 flags;
 *     __u32 pad[15];
 * };
 * }
 * The argument of {@code KVM_CREATE_PIT2}.
 */
public final class kvm_pit_config {
    private kvm_pit_config() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(15, JAVA_INT).withName("pad")
    ).withName("kvm_pit_config");

    /** {@return the layout of {@code struct kvm_pit_config}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code flags}, {@code KVM_PIT_SPEAKER_DUMMY} to give the guest a dummy PC speaker port
     * (0x61), else 0.
     */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code pad}, reserved space, zero. */
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));

    /**
     * {@return {@code flags}, {@code KVM_PIT_SPEAKER_DUMMY} to give the guest a dummy PC speaker port (0x61),
     * else 0}
     *
     * @param struct a {@code struct kvm_pit_config}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, {@code KVM_PIT_SPEAKER_DUMMY} to give the guest a dummy PC speaker port (0x61),
     * else 0.
     *
     * @param struct a {@code struct kvm_pit_config}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_pit_config)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_pit_config}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
