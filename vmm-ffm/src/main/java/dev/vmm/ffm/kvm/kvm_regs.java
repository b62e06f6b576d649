// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_regs {
 *     __u64 rax, rbx, rcx, rdx;
 *     __u64 rsi, rdi, rsp, rbp;
 *     __u64 r8,  r9,  r10, r11;
 *     __u64 r12, r13, r14, r15;
 *     __u64 rip, rflags;
 * };
 * }
 * The general purpose registers, for {@code KVM_GET_REGS} and {@code KVM_SET_REGS}.
 */
public final class kvm_regs {
    private kvm_regs() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rax"),
            JAVA_LONG.withName("rbx"),
            JAVA_LONG.withName("rcx"),
            JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"),
            JAVA_LONG.withName("rdi"),
            JAVA_LONG.withName("rsp"),
            JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"),
            JAVA_LONG.withName("r9"),
            JAVA_LONG.withName("r10"),
            JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"),
            JAVA_LONG.withName("r13"),
            JAVA_LONG.withName("r14"),
            JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"),
            JAVA_LONG.withName("rflags")
    ).withName("kvm_regs");

    /** {@return the layout of {@code struct kvm_regs}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code rax}, the guest's RAX. */
    public static final long rax$OFFSET = $LAYOUT.byteOffset(groupElement("rax"));
    /** Byte offset of {@code rbx}, the guest's RBX. */
    public static final long rbx$OFFSET = $LAYOUT.byteOffset(groupElement("rbx"));
    /** Byte offset of {@code rcx}, the guest's RCX. */
    public static final long rcx$OFFSET = $LAYOUT.byteOffset(groupElement("rcx"));
    /** Byte offset of {@code rdx}, the guest's RDX. */
    public static final long rdx$OFFSET = $LAYOUT.byteOffset(groupElement("rdx"));
    /** Byte offset of {@code rsi}, the guest's RSI. */
    public static final long rsi$OFFSET = $LAYOUT.byteOffset(groupElement("rsi"));
    /** Byte offset of {@code rdi}, the guest's RDI. */
    public static final long rdi$OFFSET = $LAYOUT.byteOffset(groupElement("rdi"));
    /** Byte offset of {@code rsp}, the guest's RSP, the stack pointer. */
    public static final long rsp$OFFSET = $LAYOUT.byteOffset(groupElement("rsp"));
    /** Byte offset of {@code rbp}, the guest's RBP. */
    public static final long rbp$OFFSET = $LAYOUT.byteOffset(groupElement("rbp"));
    /** Byte offset of {@code r8}, the guest's R8. */
    public static final long r8$OFFSET = $LAYOUT.byteOffset(groupElement("r8"));
    /** Byte offset of {@code r9}, the guest's R9. */
    public static final long r9$OFFSET = $LAYOUT.byteOffset(groupElement("r9"));
    /** Byte offset of {@code r10}, the guest's R10. */
    public static final long r10$OFFSET = $LAYOUT.byteOffset(groupElement("r10"));
    /** Byte offset of {@code r11}, the guest's R11. */
    public static final long r11$OFFSET = $LAYOUT.byteOffset(groupElement("r11"));
    /** Byte offset of {@code r12}, the guest's R12. */
    public static final long r12$OFFSET = $LAYOUT.byteOffset(groupElement("r12"));
    /** Byte offset of {@code r13}, the guest's R13. */
    public static final long r13$OFFSET = $LAYOUT.byteOffset(groupElement("r13"));
    /** Byte offset of {@code r14}, the guest's R14. */
    public static final long r14$OFFSET = $LAYOUT.byteOffset(groupElement("r14"));
    /** Byte offset of {@code r15}, the guest's R15. */
    public static final long r15$OFFSET = $LAYOUT.byteOffset(groupElement("r15"));
    /** Byte offset of {@code rip}, the guest's RIP, the address of the next instruction. */
    public static final long rip$OFFSET = $LAYOUT.byteOffset(groupElement("rip"));
    /** Byte offset of {@code rflags}, the guest's RFLAGS (bit 1 is always set). */
    public static final long rflags$OFFSET = $LAYOUT.byteOffset(groupElement("rflags"));

    /**
     * {@return {@code rax}, the guest's RAX}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rax(MemorySegment struct) {
        return struct.get(JAVA_LONG, rax$OFFSET);
    }

    /**
     * Sets {@code rax}, the guest's RAX.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rax(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rax$OFFSET, value);
    }

    /**
     * {@return {@code rbx}, the guest's RBX}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rbx(MemorySegment struct) {
        return struct.get(JAVA_LONG, rbx$OFFSET);
    }

    /**
     * Sets {@code rbx}, the guest's RBX.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rbx(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rbx$OFFSET, value);
    }

    /**
     * {@return {@code rcx}, the guest's RCX}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rcx(MemorySegment struct) {
        return struct.get(JAVA_LONG, rcx$OFFSET);
    }

    /**
     * Sets {@code rcx}, the guest's RCX.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rcx(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rcx$OFFSET, value);
    }

    /**
     * {@return {@code rdx}, the guest's RDX}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rdx(MemorySegment struct) {
        return struct.get(JAVA_LONG, rdx$OFFSET);
    }

    /**
     * Sets {@code rdx}, the guest's RDX.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rdx(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rdx$OFFSET, value);
    }

    /**
     * {@return {@code rsi}, the guest's RSI}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rsi(MemorySegment struct) {
        return struct.get(JAVA_LONG, rsi$OFFSET);
    }

    /**
     * Sets {@code rsi}, the guest's RSI.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rsi(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rsi$OFFSET, value);
    }

    /**
     * {@return {@code rdi}, the guest's RDI}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rdi(MemorySegment struct) {
        return struct.get(JAVA_LONG, rdi$OFFSET);
    }

    /**
     * Sets {@code rdi}, the guest's RDI.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rdi(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rdi$OFFSET, value);
    }

    /**
     * {@return {@code rsp}, the guest's RSP, the stack pointer}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rsp(MemorySegment struct) {
        return struct.get(JAVA_LONG, rsp$OFFSET);
    }

    /**
     * Sets {@code rsp}, the guest's RSP, the stack pointer.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rsp(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rsp$OFFSET, value);
    }

    /**
     * {@return {@code rbp}, the guest's RBP}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rbp(MemorySegment struct) {
        return struct.get(JAVA_LONG, rbp$OFFSET);
    }

    /**
     * Sets {@code rbp}, the guest's RBP.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rbp(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rbp$OFFSET, value);
    }

    /**
     * {@return {@code r8}, the guest's R8}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long r8(MemorySegment struct) {
        return struct.get(JAVA_LONG, r8$OFFSET);
    }

    /**
     * Sets {@code r8}, the guest's R8.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void r8(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r8$OFFSET, value);
    }

    /**
     * {@return {@code r9}, the guest's R9}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long r9(MemorySegment struct) {
        return struct.get(JAVA_LONG, r9$OFFSET);
    }

    /**
     * Sets {@code r9}, the guest's R9.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void r9(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r9$OFFSET, value);
    }

    /**
     * {@return {@code r10}, the guest's R10}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long r10(MemorySegment struct) {
        return struct.get(JAVA_LONG, r10$OFFSET);
    }

    /**
     * Sets {@code r10}, the guest's R10.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void r10(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r10$OFFSET, value);
    }

    /**
     * {@return {@code r11}, the guest's R11}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long r11(MemorySegment struct) {
        return struct.get(JAVA_LONG, r11$OFFSET);
    }

    /**
     * Sets {@code r11}, the guest's R11.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void r11(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r11$OFFSET, value);
    }

    /**
     * {@return {@code r12}, the guest's R12}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long r12(MemorySegment struct) {
        return struct.get(JAVA_LONG, r12$OFFSET);
    }

    /**
     * Sets {@code r12}, the guest's R12.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void r12(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r12$OFFSET, value);
    }

    /**
     * {@return {@code r13}, the guest's R13}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long r13(MemorySegment struct) {
        return struct.get(JAVA_LONG, r13$OFFSET);
    }

    /**
     * Sets {@code r13}, the guest's R13.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void r13(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r13$OFFSET, value);
    }

    /**
     * {@return {@code r14}, the guest's R14}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long r14(MemorySegment struct) {
        return struct.get(JAVA_LONG, r14$OFFSET);
    }

    /**
     * Sets {@code r14}, the guest's R14.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void r14(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r14$OFFSET, value);
    }

    /**
     * {@return {@code r15}, the guest's R15}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long r15(MemorySegment struct) {
        return struct.get(JAVA_LONG, r15$OFFSET);
    }

    /**
     * Sets {@code r15}, the guest's R15.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void r15(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r15$OFFSET, value);
    }

    /**
     * {@return {@code rip}, the guest's RIP, the address of the next instruction}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rip(MemorySegment struct) {
        return struct.get(JAVA_LONG, rip$OFFSET);
    }

    /**
     * Sets {@code rip}, the guest's RIP, the address of the next instruction.
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rip(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rip$OFFSET, value);
    }

    /**
     * {@return {@code rflags}, the guest's RFLAGS (bit 1 is always set)}
     *
     * @param struct a {@code struct kvm_regs}
     */
    public static long rflags(MemorySegment struct) {
        return struct.get(JAVA_LONG, rflags$OFFSET);
    }

    /**
     * Sets {@code rflags}, the guest's RFLAGS (bit 1 is always set).
     *
     * @param struct a {@code struct kvm_regs}
     * @param value the new value
     */
    public static void rflags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rflags$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_regs)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_regs}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
