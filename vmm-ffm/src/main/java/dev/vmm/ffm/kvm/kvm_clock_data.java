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
 * struct kvm_clock_data {
 *     __u64 clock;
 *     __u32 flags;
 *     __u32 pad0;
 *     __u64 realtime;
 *     __u64 host_tsc;
 *     __u32 pad[4];
 * };
 * }
 * The VM's kvmclock, for {@code KVM_GET_CLOCK} and {@code KVM_SET_CLOCK}: the guest's clock in nanoseconds,
 * and, when {@code flags} says so, the host's wall-clock time and TSC at the same instant.
 */
public final class kvm_clock_data {
    private kvm_clock_data() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("clock"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("pad0"),
            JAVA_LONG.withName("realtime"),
            JAVA_LONG.withName("host_tsc"),
            MemoryLayout.sequenceLayout(4, JAVA_INT).withName("pad")
    ).withName("kvm_clock_data");

    /** {@return the layout of {@code struct kvm_clock_data}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code clock}, the kvmclock value in nanoseconds. */
    public static final long clock$OFFSET = $LAYOUT.byteOffset(groupElement("clock"));
    /**
     * Byte offset of {@code flags}, {@code KVM_CLOCK_TSC_STABLE}, {@code KVM_CLOCK_REALTIME},
     * {@code KVM_CLOCK_HOST_TSC}: which of the fields below are valid; on set, only
     * {@code KVM_CLOCK_REALTIME} has an effect.
     */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code pad0}, padding. */
    public static final long pad0$OFFSET = $LAYOUT.byteOffset(groupElement("pad0"));
    /**
     * Byte offset of {@code realtime}, the host's CLOCK_REALTIME in nanoseconds at the instant of
     * {@code clock}, with {@code KVM_CLOCK_REALTIME}; on set, KVM adds the time since then to {@code clock}.
     */
    public static final long realtime$OFFSET = $LAYOUT.byteOffset(groupElement("realtime"));
    /**
     * Byte offset of {@code host_tsc}, the host's TSC at the instant of {@code clock}, with
     * {@code KVM_CLOCK_HOST_TSC}.
     */
    public static final long host_tsc$OFFSET = $LAYOUT.byteOffset(groupElement("host_tsc"));
    /** Byte offset of {@code pad}, reserved, zero. */
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));

    /**
     * {@return {@code clock}, the kvmclock value in nanoseconds}
     *
     * @param struct a {@code struct kvm_clock_data}
     */
    public static long clock(MemorySegment struct) {
        return struct.get(JAVA_LONG, clock$OFFSET);
    }

    /**
     * Sets {@code clock}, the kvmclock value in nanoseconds.
     *
     * @param struct a {@code struct kvm_clock_data}
     * @param value the new value
     */
    public static void clock(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, clock$OFFSET, value);
    }

    /**
     * {@return {@code flags}, {@code KVM_CLOCK_TSC_STABLE}, {@code KVM_CLOCK_REALTIME},
     * {@code KVM_CLOCK_HOST_TSC}: which of the fields below are valid; on set, only
     * {@code KVM_CLOCK_REALTIME} has an effect}
     *
     * @param struct a {@code struct kvm_clock_data}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, {@code KVM_CLOCK_TSC_STABLE}, {@code KVM_CLOCK_REALTIME},
     * {@code KVM_CLOCK_HOST_TSC}: which of the fields below are valid; on set, only
     * {@code KVM_CLOCK_REALTIME} has an effect.
     *
     * @param struct a {@code struct kvm_clock_data}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /**
     * {@return {@code realtime}, the host's CLOCK_REALTIME in nanoseconds at the instant of {@code clock},
     * with {@code KVM_CLOCK_REALTIME}; on set, KVM adds the time since then to {@code clock}}
     *
     * @param struct a {@code struct kvm_clock_data}
     */
    public static long realtime(MemorySegment struct) {
        return struct.get(JAVA_LONG, realtime$OFFSET);
    }

    /**
     * Sets {@code realtime}, the host's CLOCK_REALTIME in nanoseconds at the instant of {@code clock}, with
     * {@code KVM_CLOCK_REALTIME}; on set, KVM adds the time since then to {@code clock}.
     *
     * @param struct a {@code struct kvm_clock_data}
     * @param value the new value
     */
    public static void realtime(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, realtime$OFFSET, value);
    }

    /**
     * {@return {@code host_tsc}, the host's TSC at the instant of {@code clock}, with
     * {@code KVM_CLOCK_HOST_TSC}}
     *
     * @param struct a {@code struct kvm_clock_data}
     */
    public static long host_tsc(MemorySegment struct) {
        return struct.get(JAVA_LONG, host_tsc$OFFSET);
    }

    /**
     * Sets {@code host_tsc}, the host's TSC at the instant of {@code clock}, with {@code KVM_CLOCK_HOST_TSC}.
     *
     * @param struct a {@code struct kvm_clock_data}
     * @param value the new value
     */
    public static void host_tsc(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, host_tsc$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_clock_data)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_clock_data}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
