package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmConstants;

/**
 * KVM capabilities a VMM asks about with {@code KVM_CHECK_EXTENSION}. Ask the {@link Vm} rather than
 * {@link Kvm} where the answer may depend on the VM type (pre-faulting, guest_memfd, memory
 * attributes).
 */
public enum Capability {
    IRQCHIP(KvmConstants.KVM_CAP_IRQCHIP),
    HLT(KvmConstants.KVM_CAP_HLT),
    USER_MEMORY(KvmConstants.KVM_CAP_USER_MEMORY),
    SET_TSS_ADDR(KvmConstants.KVM_CAP_SET_TSS_ADDR),
    EXT_CPUID(KvmConstants.KVM_CAP_EXT_CPUID),
    NR_VCPUS(KvmConstants.KVM_CAP_NR_VCPUS),
    MAX_VCPUS(KvmConstants.KVM_CAP_MAX_VCPUS),
    NR_MEMSLOTS(KvmConstants.KVM_CAP_NR_MEMSLOTS),
    PIT2(KvmConstants.KVM_CAP_PIT2),
    IRQFD(KvmConstants.KVM_CAP_IRQFD),
    IOEVENTFD(KvmConstants.KVM_CAP_IOEVENTFD),
    /** KVM emulates the TSC-deadline timer (not reported in the supported CPUID). */
    TSC_DEADLINE_TIMER(KvmConstants.KVM_CAP_TSC_DEADLINE_TIMER),
    SET_IDENTITY_MAP_ADDR(KvmConstants.KVM_CAP_SET_IDENTITY_MAP_ADDR),
    READONLY_MEM(KvmConstants.KVM_CAP_READONLY_MEM),
    IMMEDIATE_EXIT(KvmConstants.KVM_CAP_IMMEDIATE_EXIT),
    USER_MEMORY2(KvmConstants.KVM_CAP_USER_MEMORY2),
    GUEST_MEMFD(KvmConstants.KVM_CAP_GUEST_MEMFD),
    MEMORY_ATTRIBUTES(KvmConstants.KVM_CAP_MEMORY_ATTRIBUTES),
    VM_TYPES(KvmConstants.KVM_CAP_VM_TYPES),
    /** {@code KVM_PRE_FAULT_MEMORY} (Linux 6.10+). A 1 does not promise the ioctl succeeds. */
    PRE_FAULT_MEMORY(KvmConstants.KVM_CAP_PRE_FAULT_MEMORY);

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    /** The {@code KVM_CAP_*} number. */
    public int number() {
        return number;
    }
}
