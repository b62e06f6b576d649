// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmConstants;

/**
 * KVM capabilities a VMM asks about with {@code KVM_CHECK_EXTENSION}. Ask the {@link Vm} rather than
 * {@link Kvm} where the answer may depend on the VM type (pre-faulting, guest_memfd, memory
 * attributes).
 */
public enum Capability {
    /** An in-kernel PIC, IOAPIC and local APICs ({@code KVM_CREATE_IRQCHIP}). */
    IRQCHIP(KvmConstants.KVM_CAP_IRQCHIP),
    /** HLT handled in the kernel when the local APIC is there; x86 always reports it. */
    HLT(KvmConstants.KVM_CAP_HLT),
    /** Memory slots of user-space memory ({@code KVM_SET_USER_MEMORY_REGION}). */
    USER_MEMORY(KvmConstants.KVM_CAP_USER_MEMORY),
    /** {@code KVM_SET_TSS_ADDR}, which Intel VMX needs for real mode. */
    SET_TSS_ADDR(KvmConstants.KVM_CAP_SET_TSS_ADDR),
    /** {@code KVM_GET_SUPPORTED_CPUID} and {@code KVM_SET_CPUID2}. */
    EXT_CPUID(KvmConstants.KVM_CAP_EXT_CPUID),
    /** The recommended maximum number of vCPUs per VM (the check's value). */
    NR_VCPUS(KvmConstants.KVM_CAP_NR_VCPUS),
    /** The maximum number of vCPUs per VM (the check's value). */
    MAX_VCPUS(KvmConstants.KVM_CAP_MAX_VCPUS),
    /** The maximum number of memory slots (the check's value). */
    NR_MEMSLOTS(KvmConstants.KVM_CAP_NR_MEMSLOTS),
    /** An in-kernel i8254 timer created with {@code KVM_CREATE_PIT2}. */
    PIT2(KvmConstants.KVM_CAP_PIT2),
    /** Interrupt lines raised through an eventfd ({@link Vm#registerIrqfd}). */
    IRQFD(KvmConstants.KVM_CAP_IRQFD),
    /** Guest writes that signal an eventfd without an exit ({@link Vm#registerIoeventfd}). */
    IOEVENTFD(KvmConstants.KVM_CAP_IOEVENTFD),
    /** KVM emulates the TSC-deadline timer (not reported in the supported CPUID). */
    TSC_DEADLINE_TIMER(KvmConstants.KVM_CAP_TSC_DEADLINE_TIMER),
    /** {@code KVM_SET_IDENTITY_MAP_ADDR}, the page Intel VMX uses for real-mode identity page tables. */
    SET_IDENTITY_MAP_ADDR(KvmConstants.KVM_CAP_SET_IDENTITY_MAP_ADDR),
    /** Read-only memory slots, whose guest writes exit as MMIO ({@link MemorySlot.Flag#READONLY}). */
    READONLY_MEM(KvmConstants.KVM_CAP_READONLY_MEM),
    /** {@code kvm_run.immediate_exit}: a run that returns at once, as a kick needs. */
    IMMEDIATE_EXIT(KvmConstants.KVM_CAP_IMMEDIATE_EXIT),
    /** {@code KVM_GET_PIT2} and {@code KVM_SET_PIT2}: {@link Vm#pitState()}. */
    PIT_STATE2(KvmConstants.KVM_CAP_PIT_STATE2),
    /** {@code KVM_GET_CLOCK} and {@code KVM_SET_CLOCK}: {@link Vm#clock()}; the value is the flags reported. */
    ADJUST_CLOCK(KvmConstants.KVM_CAP_ADJUST_CLOCK),
    /** {@code KVM_GET_VCPU_EVENTS} and {@code KVM_SET_VCPU_EVENTS}: {@link Vcpu#vcpuEvents()}. */
    VCPU_EVENTS(KvmConstants.KVM_CAP_VCPU_EVENTS),
    /** {@code KVM_GET_DEBUGREGS} and {@code KVM_SET_DEBUGREGS}: {@link Vcpu#debugRegisters()}. */
    DEBUGREGS(KvmConstants.KVM_CAP_DEBUGREGS),
    /** {@code KVM_GET_XSAVE} and {@code KVM_SET_XSAVE}: {@link Vcpu#xsave()}. */
    XSAVE(KvmConstants.KVM_CAP_XSAVE),
    /** {@code KVM_GET_XCRS} and {@code KVM_SET_XCRS}: {@link Vcpu#xcrs()}. */
    XCRS(KvmConstants.KVM_CAP_XCRS),
    /** {@code KVM_GET_XSAVE2}; the value is the size of the XSAVE area in bytes, at least 4096. */
    XSAVE2(KvmConstants.KVM_CAP_XSAVE2),
    /** {@code KVM_SET_TSC_KHZ} to any frequency KVM can scale the TSC to. */
    TSC_CONTROL(KvmConstants.KVM_CAP_TSC_CONTROL),
    /** {@code KVM_GET_TSC_KHZ}: {@link Vcpu#tscKhz()}. */
    GET_TSC_KHZ(KvmConstants.KVM_CAP_GET_TSC_KHZ),
    /** {@code KVM_KVMCLOCK_CTRL}: {@link Vcpu#notifyGuestPaused()}. */
    KVMCLOCK_CTRL(KvmConstants.KVM_CAP_KVMCLOCK_CTRL),
    /** {@code KVM_SET_USER_MEMORY_REGION2}, memory slots with a guest_memfd. */
    USER_MEMORY2(KvmConstants.KVM_CAP_USER_MEMORY2),
    /** {@code KVM_CREATE_GUEST_MEMFD}, private guest memory. */
    GUEST_MEMFD(KvmConstants.KVM_CAP_GUEST_MEMFD),
    /** {@code KVM_SET_MEMORY_ATTRIBUTES}; the value is the mask of attributes supported. */
    MEMORY_ATTRIBUTES(KvmConstants.KVM_CAP_MEMORY_ATTRIBUTES),
    /** The VM types {@code KVM_CREATE_VM} accepts, as a bit mask. */
    VM_TYPES(KvmConstants.KVM_CAP_VM_TYPES),
    /** {@code KVM_PRE_FAULT_MEMORY} (Linux 6.10+). A 1 does not promise the ioctl succeeds. */
    PRE_FAULT_MEMORY(KvmConstants.KVM_CAP_PRE_FAULT_MEMORY);

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    /** {@return the {@code KVM_CAP_*} number, the argument of {@code KVM_CHECK_EXTENSION}} */
    public int number() {
        return number;
    }
}
