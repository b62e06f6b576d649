// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@snippet lang=c :
 * struct kvm_irqfd {
 *     __u32 fd;
 *     __u32 gsi;
 *     __u32 flags;
 *     __u32 resamplefd;
 *     __u8 pad[16];
 * };
 * }
 * The argument of {@code KVM_IRQFD}: a write to eventfd {@code fd} raises interrupt line {@code gsi}.
 */
public final class kvm_irqfd {
    private kvm_irqfd() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("gsi"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resamplefd"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("pad")
    ).withName("kvm_irqfd");

    /** {@return the layout of {@code struct kvm_irqfd}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code fd}, the eventfd whose signal raises the interrupt. */
    public static final long fd$OFFSET = $LAYOUT.byteOffset(groupElement("fd"));
    /** Byte offset of {@code gsi}, the interrupt line (GSI) to raise. */
    public static final long gsi$OFFSET = $LAYOUT.byteOffset(groupElement("gsi"));
    /**
     * Byte offset of {@code flags}, the {@code KVM_IRQFD_FLAG_*} bits: DEASSIGN removes the binding, RESAMPLE
     * makes it level-triggered with {@code resamplefd}.
     */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /**
     * Byte offset of {@code resamplefd}, the eventfd KVM signals when the guest acknowledges the
     * level-triggered interrupt, with {@code KVM_IRQFD_FLAG_RESAMPLE}.
     */
    public static final long resamplefd$OFFSET = $LAYOUT.byteOffset(groupElement("resamplefd"));
    /** Byte offset of {@code pad}, reserved space, zero. */
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));

    /**
     * {@return {@code fd}, the eventfd whose signal raises the interrupt}
     *
     * @param struct a {@code struct kvm_irqfd}
     */
    public static int fd(MemorySegment struct) {
        return struct.get(JAVA_INT, fd$OFFSET);
    }

    /**
     * Sets {@code fd}, the eventfd whose signal raises the interrupt.
     *
     * @param struct a {@code struct kvm_irqfd}
     * @param value the new value
     */
    public static void fd(MemorySegment struct, int value) {
        struct.set(JAVA_INT, fd$OFFSET, value);
    }

    /**
     * {@return {@code gsi}, the interrupt line (GSI) to raise}
     *
     * @param struct a {@code struct kvm_irqfd}
     */
    public static int gsi(MemorySegment struct) {
        return struct.get(JAVA_INT, gsi$OFFSET);
    }

    /**
     * Sets {@code gsi}, the interrupt line (GSI) to raise.
     *
     * @param struct a {@code struct kvm_irqfd}
     * @param value the new value
     */
    public static void gsi(MemorySegment struct, int value) {
        struct.set(JAVA_INT, gsi$OFFSET, value);
    }

    /**
     * {@return {@code flags}, the {@code KVM_IRQFD_FLAG_*} bits: DEASSIGN removes the binding, RESAMPLE makes
     * it level-triggered with {@code resamplefd}}
     *
     * @param struct a {@code struct kvm_irqfd}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, the {@code KVM_IRQFD_FLAG_*} bits: DEASSIGN removes the binding, RESAMPLE makes it
     * level-triggered with {@code resamplefd}.
     *
     * @param struct a {@code struct kvm_irqfd}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /**
     * {@return {@code resamplefd}, the eventfd KVM signals when the guest acknowledges the level-triggered
     * interrupt, with {@code KVM_IRQFD_FLAG_RESAMPLE}}
     *
     * @param struct a {@code struct kvm_irqfd}
     */
    public static int resamplefd(MemorySegment struct) {
        return struct.get(JAVA_INT, resamplefd$OFFSET);
    }

    /**
     * Sets {@code resamplefd}, the eventfd KVM signals when the guest acknowledges the level-triggered
     * interrupt, with {@code KVM_IRQFD_FLAG_RESAMPLE}.
     *
     * @param struct a {@code struct kvm_irqfd}
     * @param value the new value
     */
    public static void resamplefd(MemorySegment struct, int value) {
        struct.set(JAVA_INT, resamplefd$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_irqfd)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_irqfd}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
