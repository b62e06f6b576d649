// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_ioeventfd {
 *     __u64 datamatch;
 *     __u64 addr;
 *     __u32 len;
 *     __s32 fd;
 *     __u32 flags;
 *     __u8 pad[36];
 * };
 * }
 * The argument of {@code KVM_IOEVENTFD}: a guest write of {@code len} bytes to {@code addr} (port I/O when
 * {@code flags} has {@code KVM_IOEVENTFD_FLAG_PIO}) signals eventfd {@code fd} instead of exiting to user space.
 */
public final class kvm_ioeventfd {
    private kvm_ioeventfd() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("datamatch"),
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(36, JAVA_BYTE).withName("pad")
    ).withName("kvm_ioeventfd");

    /** {@return the layout of {@code struct kvm_ioeventfd}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code datamatch}, the value a write must carry to signal, with
     * {@code KVM_IOEVENTFD_FLAG_DATAMATCH}.
     */
    public static final long datamatch$OFFSET = $LAYOUT.byteOffset(groupElement("datamatch"));
    /**
     * Byte offset of {@code addr}, the guest-physical MMIO address, or the I/O port with
     * {@code KVM_IOEVENTFD_FLAG_PIO}.
     */
    public static final long addr$OFFSET = $LAYOUT.byteOffset(groupElement("addr"));
    /**
     * Byte offset of {@code len}, the width of the write in bytes (1, 2, 4 or 8; 0 matches any width, MMIO
     * only).
     */
    public static final long len$OFFSET = $LAYOUT.byteOffset(groupElement("len"));
    /** Byte offset of {@code fd}, the eventfd to signal. */
    public static final long fd$OFFSET = $LAYOUT.byteOffset(groupElement("fd"));
    /** Byte offset of {@code flags}, the {@code KVM_IOEVENTFD_FLAG_*} bits. */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code pad}, reserved space, zero. */
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));

    /**
     * {@return {@code datamatch}, the value a write must carry to signal, with
     * {@code KVM_IOEVENTFD_FLAG_DATAMATCH}}
     *
     * @param struct a {@code struct kvm_ioeventfd}
     */
    public static long datamatch(MemorySegment struct) {
        return struct.get(JAVA_LONG, datamatch$OFFSET);
    }

    /**
     * Sets {@code datamatch}, the value a write must carry to signal, with
     * {@code KVM_IOEVENTFD_FLAG_DATAMATCH}.
     *
     * @param struct a {@code struct kvm_ioeventfd}
     * @param value the new value
     */
    public static void datamatch(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, datamatch$OFFSET, value);
    }

    /**
     * {@return {@code addr}, the guest-physical MMIO address, or the I/O port with
     * {@code KVM_IOEVENTFD_FLAG_PIO}}
     *
     * @param struct a {@code struct kvm_ioeventfd}
     */
    public static long addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, addr$OFFSET);
    }

    /**
     * Sets {@code addr}, the guest-physical MMIO address, or the I/O port with
     * {@code KVM_IOEVENTFD_FLAG_PIO}.
     *
     * @param struct a {@code struct kvm_ioeventfd}
     * @param value the new value
     */
    public static void addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, addr$OFFSET, value);
    }

    /**
     * {@return {@code len}, the width of the write in bytes (1, 2, 4 or 8; 0 matches any width, MMIO only)}
     *
     * @param struct a {@code struct kvm_ioeventfd}
     */
    public static int len(MemorySegment struct) {
        return struct.get(JAVA_INT, len$OFFSET);
    }

    /**
     * Sets {@code len}, the width of the write in bytes (1, 2, 4 or 8; 0 matches any width, MMIO only).
     *
     * @param struct a {@code struct kvm_ioeventfd}
     * @param value the new value
     */
    public static void len(MemorySegment struct, int value) {
        struct.set(JAVA_INT, len$OFFSET, value);
    }

    /**
     * {@return {@code fd}, the eventfd to signal}
     *
     * @param struct a {@code struct kvm_ioeventfd}
     */
    public static int fd(MemorySegment struct) {
        return struct.get(JAVA_INT, fd$OFFSET);
    }

    /**
     * Sets {@code fd}, the eventfd to signal.
     *
     * @param struct a {@code struct kvm_ioeventfd}
     * @param value the new value
     */
    public static void fd(MemorySegment struct, int value) {
        struct.set(JAVA_INT, fd$OFFSET, value);
    }

    /**
     * {@return {@code flags}, the {@code KVM_IOEVENTFD_FLAG_*} bits}
     *
     * @param struct a {@code struct kvm_ioeventfd}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, the {@code KVM_IOEVENTFD_FLAG_*} bits.
     *
     * @param struct a {@code struct kvm_ioeventfd}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_ioeventfd)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_ioeventfd}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
