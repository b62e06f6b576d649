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
 * struct kvm_userspace_memory_region2 {
 *     __u32 slot;
 *     __u32 flags;
 *     __u64 guest_phys_addr;
 *     __u64 memory_size;
 *     __u64 userspace_addr;
 *     __u64 guest_memfd_offset;
 *     __u32 guest_memfd;
 *     __u32 pad1;
 *     __u64 pad2[14];
 * };
 * }
 * The argument of {@code KVM_SET_USER_MEMORY_REGION2}: {@link kvm_userspace_memory_region} plus a
 * guest_memfd backing for private memory, used when {@code flags} has {@code KVM_MEM_GUEST_MEMFD}.
 */
public final class kvm_userspace_memory_region2 {
    private kvm_userspace_memory_region2() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"),
            JAVA_LONG.withName("userspace_addr"),
            JAVA_LONG.withName("guest_memfd_offset"),
            JAVA_INT.withName("guest_memfd"),
            JAVA_INT.withName("pad1"),
            MemoryLayout.sequenceLayout(14, JAVA_LONG).withName("pad2")
    ).withName("kvm_userspace_memory_region2");

    /** {@return the layout of {@code struct kvm_userspace_memory_region2}, its members named as in C} */
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
     * {@code KVM_MEM_READONLY}, {@code KVM_MEM_GUEST_MEMFD}.
     */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code guest_phys_addr}, the guest-physical address of the slot's first byte. */
    public static final long guest_phys_addr$OFFSET = $LAYOUT.byteOffset(groupElement("guest_phys_addr"));
    /** Byte offset of {@code memory_size}, the slot's size in bytes; 0 deletes the slot. */
    public static final long memory_size$OFFSET = $LAYOUT.byteOffset(groupElement("memory_size"));
    /** Byte offset of {@code userspace_addr}, the host virtual address of the memory that backs the slot. */
    public static final long userspace_addr$OFFSET = $LAYOUT.byteOffset(groupElement("userspace_addr"));
    /**
     * Byte offset of {@code guest_memfd_offset}, the offset in {@code guest_memfd} of the slot's private
     * memory.
     */
    public static final long guest_memfd_offset$OFFSET = $LAYOUT.byteOffset(groupElement("guest_memfd_offset"));
    /**
     * Byte offset of {@code guest_memfd}, the guest_memfd that backs the slot's private memory, with
     * {@code KVM_MEM_GUEST_MEMFD}.
     */
    public static final long guest_memfd$OFFSET = $LAYOUT.byteOffset(groupElement("guest_memfd"));
    /** Byte offset of {@code pad1}, padding. */
    public static final long pad1$OFFSET = $LAYOUT.byteOffset(groupElement("pad1"));
    /** Byte offset of {@code pad2}, reserved space, zero. */
    public static final long pad2$OFFSET = $LAYOUT.byteOffset(groupElement("pad2"));

    /**
     * {@return {@code slot}, the slot's id (bits 16 to 31 select the address space where there are several)}
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     */
    public static int slot(MemorySegment struct) {
        return struct.get(JAVA_INT, slot$OFFSET);
    }

    /**
     * Sets {@code slot}, the slot's id (bits 16 to 31 select the address space where there are several).
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     * @param value the new value
     */
    public static void slot(MemorySegment struct, int value) {
        struct.set(JAVA_INT, slot$OFFSET, value);
    }

    /**
     * {@return {@code flags}, the {@code KVM_MEM_*} bits: {@code KVM_MEM_LOG_DIRTY_PAGES},
     * {@code KVM_MEM_READONLY}, {@code KVM_MEM_GUEST_MEMFD}}
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, the {@code KVM_MEM_*} bits: {@code KVM_MEM_LOG_DIRTY_PAGES},
     * {@code KVM_MEM_READONLY}, {@code KVM_MEM_GUEST_MEMFD}.
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /**
     * {@return {@code guest_phys_addr}, the guest-physical address of the slot's first byte}
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     */
    public static long guest_phys_addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, guest_phys_addr$OFFSET);
    }

    /**
     * Sets {@code guest_phys_addr}, the guest-physical address of the slot's first byte.
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     * @param value the new value
     */
    public static void guest_phys_addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, guest_phys_addr$OFFSET, value);
    }

    /**
     * {@return {@code memory_size}, the slot's size in bytes; 0 deletes the slot}
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     */
    public static long memory_size(MemorySegment struct) {
        return struct.get(JAVA_LONG, memory_size$OFFSET);
    }

    /**
     * Sets {@code memory_size}, the slot's size in bytes; 0 deletes the slot.
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     * @param value the new value
     */
    public static void memory_size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, memory_size$OFFSET, value);
    }

    /**
     * {@return {@code userspace_addr}, the host virtual address of the memory that backs the slot}
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     */
    public static long userspace_addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, userspace_addr$OFFSET);
    }

    /**
     * Sets {@code userspace_addr}, the host virtual address of the memory that backs the slot.
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     * @param value the new value
     */
    public static void userspace_addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, userspace_addr$OFFSET, value);
    }

    /**
     * {@return {@code guest_memfd_offset}, the offset in {@code guest_memfd} of the slot's private memory}
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     */
    public static long guest_memfd_offset(MemorySegment struct) {
        return struct.get(JAVA_LONG, guest_memfd_offset$OFFSET);
    }

    /**
     * Sets {@code guest_memfd_offset}, the offset in {@code guest_memfd} of the slot's private memory.
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     * @param value the new value
     */
    public static void guest_memfd_offset(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, guest_memfd_offset$OFFSET, value);
    }

    /**
     * {@return {@code guest_memfd}, the guest_memfd that backs the slot's private memory, with
     * {@code KVM_MEM_GUEST_MEMFD}}
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     */
    public static int guest_memfd(MemorySegment struct) {
        return struct.get(JAVA_INT, guest_memfd$OFFSET);
    }

    /**
     * Sets {@code guest_memfd}, the guest_memfd that backs the slot's private memory, with
     * {@code KVM_MEM_GUEST_MEMFD}.
     *
     * @param struct a {@code struct kvm_userspace_memory_region2}
     * @param value the new value
     */
    public static void guest_memfd(MemorySegment struct, int value) {
        struct.set(JAVA_INT, guest_memfd$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_userspace_memory_region2)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_userspace_memory_region2}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
