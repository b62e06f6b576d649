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
 * struct kvm_userspace_memory_region {
 *     __u32 slot;
 *     __u32 flags;
 *     __u64 guest_phys_addr;
 *     __u64 memory_size;
 *     __u64 userspace_addr;
 * };
 * }
 * The argument of {@code KVM_SET_USER_MEMORY_REGION}: maps {@code memory_size} bytes of host memory at
 * {@code userspace_addr} into the guest at {@code guest_phys_addr}; size 0 deletes the slot.
 */
public final class kvm_userspace_memory_region {
    private kvm_userspace_memory_region() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"),
            JAVA_LONG.withName("userspace_addr")
    ).withName("kvm_userspace_memory_region");

    /** {@return the layout of {@code struct kvm_userspace_memory_region}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code slot}, the slot's id (bits 16 to 31 select the address space where there are
     * several).
     */
    public static final long slot$OFFSET = $LAYOUT.byteOffset(groupElement("slot"));
    /**
     * Byte offset of {@code flags}, the {@code KVM_MEM_*} bits: {@code KVM_MEM_LOG_DIRTY_PAGES},
     * {@code KVM_MEM_READONLY}.
     */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code guest_phys_addr}, the guest-physical address of the slot's first byte. */
    public static final long guest_phys_addr$OFFSET = $LAYOUT.byteOffset(groupElement("guest_phys_addr"));
    /** Byte offset of {@code memory_size}, the slot's size in bytes; 0 deletes the slot. */
    public static final long memory_size$OFFSET = $LAYOUT.byteOffset(groupElement("memory_size"));
    /** Byte offset of {@code userspace_addr}, the host virtual address of the memory that backs the slot. */
    public static final long userspace_addr$OFFSET = $LAYOUT.byteOffset(groupElement("userspace_addr"));

    /**
     * {@return {@code slot}, the slot's id (bits 16 to 31 select the address space where there are several)}
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     */
    public static int slot(MemorySegment struct) {
        return struct.get(JAVA_INT, slot$OFFSET);
    }

    /**
     * Sets {@code slot}, the slot's id (bits 16 to 31 select the address space where there are several).
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     * @param value the new value
     */
    public static void slot(MemorySegment struct, int value) {
        struct.set(JAVA_INT, slot$OFFSET, value);
    }

    /**
     * {@return {@code flags}, the {@code KVM_MEM_*} bits: {@code KVM_MEM_LOG_DIRTY_PAGES},
     * {@code KVM_MEM_READONLY}}
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, the {@code KVM_MEM_*} bits: {@code KVM_MEM_LOG_DIRTY_PAGES},
     * {@code KVM_MEM_READONLY}.
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /**
     * {@return {@code guest_phys_addr}, the guest-physical address of the slot's first byte}
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     */
    public static long guest_phys_addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, guest_phys_addr$OFFSET);
    }

    /**
     * Sets {@code guest_phys_addr}, the guest-physical address of the slot's first byte.
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     * @param value the new value
     */
    public static void guest_phys_addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, guest_phys_addr$OFFSET, value);
    }

    /**
     * {@return {@code memory_size}, the slot's size in bytes; 0 deletes the slot}
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     */
    public static long memory_size(MemorySegment struct) {
        return struct.get(JAVA_LONG, memory_size$OFFSET);
    }

    /**
     * Sets {@code memory_size}, the slot's size in bytes; 0 deletes the slot.
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     * @param value the new value
     */
    public static void memory_size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, memory_size$OFFSET, value);
    }

    /**
     * {@return {@code userspace_addr}, the host virtual address of the memory that backs the slot}
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     */
    public static long userspace_addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, userspace_addr$OFFSET);
    }

    /**
     * Sets {@code userspace_addr}, the host virtual address of the memory that backs the slot.
     *
     * @param struct a {@code struct kvm_userspace_memory_region}
     * @param value the new value
     */
    public static void userspace_addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, userspace_addr$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_userspace_memory_region)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_userspace_memory_region}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
