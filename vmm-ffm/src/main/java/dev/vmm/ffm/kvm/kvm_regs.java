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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long rax$OFFSET = $LAYOUT.byteOffset(groupElement("rax"));
    public static final long rbx$OFFSET = $LAYOUT.byteOffset(groupElement("rbx"));
    public static final long rcx$OFFSET = $LAYOUT.byteOffset(groupElement("rcx"));
    public static final long rdx$OFFSET = $LAYOUT.byteOffset(groupElement("rdx"));
    public static final long rsi$OFFSET = $LAYOUT.byteOffset(groupElement("rsi"));
    public static final long rdi$OFFSET = $LAYOUT.byteOffset(groupElement("rdi"));
    public static final long rsp$OFFSET = $LAYOUT.byteOffset(groupElement("rsp"));
    public static final long rbp$OFFSET = $LAYOUT.byteOffset(groupElement("rbp"));
    public static final long r8$OFFSET = $LAYOUT.byteOffset(groupElement("r8"));
    public static final long r9$OFFSET = $LAYOUT.byteOffset(groupElement("r9"));
    public static final long r10$OFFSET = $LAYOUT.byteOffset(groupElement("r10"));
    public static final long r11$OFFSET = $LAYOUT.byteOffset(groupElement("r11"));
    public static final long r12$OFFSET = $LAYOUT.byteOffset(groupElement("r12"));
    public static final long r13$OFFSET = $LAYOUT.byteOffset(groupElement("r13"));
    public static final long r14$OFFSET = $LAYOUT.byteOffset(groupElement("r14"));
    public static final long r15$OFFSET = $LAYOUT.byteOffset(groupElement("r15"));
    public static final long rip$OFFSET = $LAYOUT.byteOffset(groupElement("rip"));
    public static final long rflags$OFFSET = $LAYOUT.byteOffset(groupElement("rflags"));

    public static long rax(MemorySegment struct) {
        return struct.get(JAVA_LONG, rax$OFFSET);
    }

    public static void rax(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rax$OFFSET, value);
    }

    public static long rbx(MemorySegment struct) {
        return struct.get(JAVA_LONG, rbx$OFFSET);
    }

    public static void rbx(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rbx$OFFSET, value);
    }

    public static long rcx(MemorySegment struct) {
        return struct.get(JAVA_LONG, rcx$OFFSET);
    }

    public static void rcx(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rcx$OFFSET, value);
    }

    public static long rdx(MemorySegment struct) {
        return struct.get(JAVA_LONG, rdx$OFFSET);
    }

    public static void rdx(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rdx$OFFSET, value);
    }

    public static long rsi(MemorySegment struct) {
        return struct.get(JAVA_LONG, rsi$OFFSET);
    }

    public static void rsi(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rsi$OFFSET, value);
    }

    public static long rdi(MemorySegment struct) {
        return struct.get(JAVA_LONG, rdi$OFFSET);
    }

    public static void rdi(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rdi$OFFSET, value);
    }

    public static long rsp(MemorySegment struct) {
        return struct.get(JAVA_LONG, rsp$OFFSET);
    }

    public static void rsp(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rsp$OFFSET, value);
    }

    public static long rbp(MemorySegment struct) {
        return struct.get(JAVA_LONG, rbp$OFFSET);
    }

    public static void rbp(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rbp$OFFSET, value);
    }

    public static long r8(MemorySegment struct) {
        return struct.get(JAVA_LONG, r8$OFFSET);
    }

    public static void r8(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r8$OFFSET, value);
    }

    public static long r9(MemorySegment struct) {
        return struct.get(JAVA_LONG, r9$OFFSET);
    }

    public static void r9(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r9$OFFSET, value);
    }

    public static long r10(MemorySegment struct) {
        return struct.get(JAVA_LONG, r10$OFFSET);
    }

    public static void r10(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r10$OFFSET, value);
    }

    public static long r11(MemorySegment struct) {
        return struct.get(JAVA_LONG, r11$OFFSET);
    }

    public static void r11(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r11$OFFSET, value);
    }

    public static long r12(MemorySegment struct) {
        return struct.get(JAVA_LONG, r12$OFFSET);
    }

    public static void r12(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r12$OFFSET, value);
    }

    public static long r13(MemorySegment struct) {
        return struct.get(JAVA_LONG, r13$OFFSET);
    }

    public static void r13(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r13$OFFSET, value);
    }

    public static long r14(MemorySegment struct) {
        return struct.get(JAVA_LONG, r14$OFFSET);
    }

    public static void r14(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r14$OFFSET, value);
    }

    public static long r15(MemorySegment struct) {
        return struct.get(JAVA_LONG, r15$OFFSET);
    }

    public static void r15(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, r15$OFFSET, value);
    }

    public static long rip(MemorySegment struct) {
        return struct.get(JAVA_LONG, rip$OFFSET);
    }

    public static void rip(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rip$OFFSET, value);
    }

    public static long rflags(MemorySegment struct) {
        return struct.get(JAVA_LONG, rflags$OFFSET);
    }

    public static void rflags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, rflags$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
