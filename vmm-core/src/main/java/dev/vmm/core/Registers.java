package dev.vmm.core;

import dev.vmm.ffm.kvm.kvm_regs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A vCPU's general-purpose registers ({@code kvm_regs}), read with {@link Vcpu#registers()} and
 * written back with {@link Vcpu#setRegisters}. Setters return {@code this} for chaining.
 */
public final class Registers {
    final MemorySegment struct;

    Registers() {
        this.struct = kvm_regs.allocate(Arena.ofAuto());
    }

    public long rax() { return kvm_regs.rax(struct); }
    public long rbx() { return kvm_regs.rbx(struct); }
    public long rcx() { return kvm_regs.rcx(struct); }
    public long rdx() { return kvm_regs.rdx(struct); }
    public long rsi() { return kvm_regs.rsi(struct); }
    public long rdi() { return kvm_regs.rdi(struct); }
    public long rsp() { return kvm_regs.rsp(struct); }
    public long rbp() { return kvm_regs.rbp(struct); }
    public long r8() { return kvm_regs.r8(struct); }
    public long r9() { return kvm_regs.r9(struct); }
    public long r10() { return kvm_regs.r10(struct); }
    public long r11() { return kvm_regs.r11(struct); }
    public long r12() { return kvm_regs.r12(struct); }
    public long r13() { return kvm_regs.r13(struct); }
    public long r14() { return kvm_regs.r14(struct); }
    public long r15() { return kvm_regs.r15(struct); }
    public long rip() { return kvm_regs.rip(struct); }
    public long rflags() { return kvm_regs.rflags(struct); }

    public Registers rax(long v) { kvm_regs.rax(struct, v); return this; }
    public Registers rbx(long v) { kvm_regs.rbx(struct, v); return this; }
    public Registers rcx(long v) { kvm_regs.rcx(struct, v); return this; }
    public Registers rdx(long v) { kvm_regs.rdx(struct, v); return this; }
    public Registers rsi(long v) { kvm_regs.rsi(struct, v); return this; }
    public Registers rdi(long v) { kvm_regs.rdi(struct, v); return this; }
    public Registers rsp(long v) { kvm_regs.rsp(struct, v); return this; }
    public Registers rbp(long v) { kvm_regs.rbp(struct, v); return this; }
    public Registers r8(long v) { kvm_regs.r8(struct, v); return this; }
    public Registers r9(long v) { kvm_regs.r9(struct, v); return this; }
    public Registers r10(long v) { kvm_regs.r10(struct, v); return this; }
    public Registers r11(long v) { kvm_regs.r11(struct, v); return this; }
    public Registers r12(long v) { kvm_regs.r12(struct, v); return this; }
    public Registers r13(long v) { kvm_regs.r13(struct, v); return this; }
    public Registers r14(long v) { kvm_regs.r14(struct, v); return this; }
    public Registers r15(long v) { kvm_regs.r15(struct, v); return this; }
    public Registers rip(long v) { kvm_regs.rip(struct, v); return this; }
    public Registers rflags(long v) { kvm_regs.rflags(struct, v); return this; }
}
