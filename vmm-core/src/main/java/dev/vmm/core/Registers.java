// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.kvm_regs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A vCPU's general-purpose registers ({@code kvm_regs}), read with {@link Vcpu#registers()} and
 * written back with {@link Vcpu#setRegisters}. Setters return {@code this} for chaining.
 */
public final class Registers {
    final MemorySegment struct;

    Registers() {
        this.struct = kvm_regs.allocate(Arena.ofAuto());
    }

    /** The size of {@code struct kvm_regs}, the length of {@link #bytes()}. */
    public static final int SIZE = (int) kvm_regs.sizeof();

    /**
     * {@return general-purpose registers held in a copy of {@code bytes}}
     *
     * @param bytes {@link #SIZE} bytes, as {@link #bytes()} returned them
     * @throws IllegalArgumentException when {@code bytes} is not {@link #SIZE} bytes
     */
    public static Registers of(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("A kvm_regs is " + SIZE + " bytes, not " + bytes.length + ".");
        }
        Registers copy = new Registers();
        MemorySegment.copy(bytes, 0, copy.struct, ValueLayout.JAVA_BYTE, 0, SIZE);
        return copy;
    }

    /** {@return a copy of the {@code kvm_regs} bytes, for storing in a snapshot} */
    public byte[] bytes() {
        return struct.toArray(ValueLayout.JAVA_BYTE);
    }

    /** {@return the guest's RAX} */
    public long rax() { return kvm_regs.rax(struct); }
    /** {@return the guest's RBX} */
    public long rbx() { return kvm_regs.rbx(struct); }
    /** {@return the guest's RCX} */
    public long rcx() { return kvm_regs.rcx(struct); }
    /** {@return the guest's RDX} */
    public long rdx() { return kvm_regs.rdx(struct); }
    /** {@return the guest's RSI} */
    public long rsi() { return kvm_regs.rsi(struct); }
    /** {@return the guest's RDI} */
    public long rdi() { return kvm_regs.rdi(struct); }
    /** {@return the guest's RSP, the stack pointer} */
    public long rsp() { return kvm_regs.rsp(struct); }
    /** {@return the guest's RBP} */
    public long rbp() { return kvm_regs.rbp(struct); }
    /** {@return the guest's R8} */
    public long r8() { return kvm_regs.r8(struct); }
    /** {@return the guest's R9} */
    public long r9() { return kvm_regs.r9(struct); }
    /** {@return the guest's R10} */
    public long r10() { return kvm_regs.r10(struct); }
    /** {@return the guest's R11} */
    public long r11() { return kvm_regs.r11(struct); }
    /** {@return the guest's R12} */
    public long r12() { return kvm_regs.r12(struct); }
    /** {@return the guest's R13} */
    public long r13() { return kvm_regs.r13(struct); }
    /** {@return the guest's R14} */
    public long r14() { return kvm_regs.r14(struct); }
    /** {@return the guest's R15} */
    public long r15() { return kvm_regs.r15(struct); }
    /** {@return the guest's RIP, the address of the next instruction} */
    public long rip() { return kvm_regs.rip(struct); }
    /** {@return the guest's RFLAGS (bit 1 always set)} */
    public long rflags() { return kvm_regs.rflags(struct); }

    /**
     * Sets the guest's RAX.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rax(long v) { kvm_regs.rax(struct, v); return this; }
    /**
     * Sets the guest's RBX.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rbx(long v) { kvm_regs.rbx(struct, v); return this; }
    /**
     * Sets the guest's RCX.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rcx(long v) { kvm_regs.rcx(struct, v); return this; }
    /**
     * Sets the guest's RDX.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rdx(long v) { kvm_regs.rdx(struct, v); return this; }
    /**
     * Sets the guest's RSI.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rsi(long v) { kvm_regs.rsi(struct, v); return this; }
    /**
     * Sets the guest's RDI.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rdi(long v) { kvm_regs.rdi(struct, v); return this; }
    /**
     * Sets the guest's RSP, the stack pointer.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rsp(long v) { kvm_regs.rsp(struct, v); return this; }
    /**
     * Sets the guest's RBP.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rbp(long v) { kvm_regs.rbp(struct, v); return this; }
    /**
     * Sets the guest's R8.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers r8(long v) { kvm_regs.r8(struct, v); return this; }
    /**
     * Sets the guest's R9.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers r9(long v) { kvm_regs.r9(struct, v); return this; }
    /**
     * Sets the guest's R10.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers r10(long v) { kvm_regs.r10(struct, v); return this; }
    /**
     * Sets the guest's R11.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers r11(long v) { kvm_regs.r11(struct, v); return this; }
    /**
     * Sets the guest's R12.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers r12(long v) { kvm_regs.r12(struct, v); return this; }
    /**
     * Sets the guest's R13.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers r13(long v) { kvm_regs.r13(struct, v); return this; }
    /**
     * Sets the guest's R14.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers r14(long v) { kvm_regs.r14(struct, v); return this; }
    /**
     * Sets the guest's R15.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers r15(long v) { kvm_regs.r15(struct, v); return this; }
    /**
     * Sets the guest's RIP, the address of the next instruction.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rip(long v) { kvm_regs.rip(struct, v); return this; }
    /**
     * Sets the guest's RFLAGS (bit 1 always set).
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public Registers rflags(long v) { kvm_regs.rflags(struct, v); return this; }
}
