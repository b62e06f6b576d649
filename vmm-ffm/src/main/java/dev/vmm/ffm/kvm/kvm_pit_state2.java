// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@snippet lang=c :
 * struct kvm_pit_state2 {
 *     struct kvm_pit_channel_state channels[3];
 *     __u32 flags;
 *     __u32 reserved[9];
 * };
 * }
 * The in-kernel i8254 PIT, for {@code KVM_GET_PIT2} and {@code KVM_SET_PIT2}: its three channels and flags.
 */
public final class kvm_pit_state2 {
    private kvm_pit_state2() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(3, kvm_pit_channel_state.layout()).withName("channels"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(9, JAVA_INT).withName("reserved")
    ).withName("kvm_pit_state2");

    /** {@return the layout of {@code struct kvm_pit_state2}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code channels}, the three channels, {@link kvm_pit_channel_state} elements. */
    public static final long channels$OFFSET = $LAYOUT.byteOffset(groupElement("channels"));
    /**
     * Byte offset of {@code flags}, {@code KVM_PIT_FLAGS_HPET_LEGACY} when the HPET has taken over the PIT's
     * interrupt, {@code KVM_PIT_FLAGS_SPEAKER_DATA_ON} for the speaker.
     */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code reserved}, reserved, zero. */
    public static final long reserved$OFFSET = $LAYOUT.byteOffset(groupElement("reserved"));

    /**
     * {@return element {@code index} of {@code channels}, the three channels, {@link kvm_pit_channel_state}
     * elements, as a slice of {@code struct} for {@link kvm_pit_channel_state}'s accessors}
     *
     * @param struct a {@code struct kvm_pit_state2}
     * @param index the element's index, 0 to 2
     * @throws IndexOutOfBoundsException when {@code index} is negative or not below 3
     */
    public static MemorySegment channels(MemorySegment struct, int index) {
        return struct.asSlice(channels$OFFSET + Objects.checkIndex(index, 3) * kvm_pit_channel_state.sizeof(), kvm_pit_channel_state.layout());
    }

    /**
     * {@return {@code flags}, {@code KVM_PIT_FLAGS_HPET_LEGACY} when the HPET has taken over the PIT's
     * interrupt, {@code KVM_PIT_FLAGS_SPEAKER_DATA_ON} for the speaker}
     *
     * @param struct a {@code struct kvm_pit_state2}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, {@code KVM_PIT_FLAGS_HPET_LEGACY} when the HPET has taken over the PIT's interrupt,
     * {@code KVM_PIT_FLAGS_SPEAKER_DATA_ON} for the speaker.
     *
     * @param struct a {@code struct kvm_pit_state2}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_pit_state2)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_pit_state2}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
