package dev.vmm.ffm.kvm;

/**
 * Constants from include/uapi/linux/kvm.h and arch/x86/include/uapi/asm/kvm.h, named exactly as
 * the macros; UapiLayoutTest compares every one with the kernel's headers.
 */
public final class KvmConstants {
    private KvmConstants() {}

    /** What {@code KVM_GET_API_VERSION} returns on every kernel with the stable KVM API. */
    public static final int KVM_API_VERSION = 12;

    // Capabilities, the argument of KVM_CHECK_EXTENSION and KVM_ENABLE_CAP.
    public static final int KVM_CAP_IRQCHIP = 0;
    public static final int KVM_CAP_HLT = 1;
    public static final int KVM_CAP_USER_MEMORY = 3;
    public static final int KVM_CAP_SET_TSS_ADDR = 4;
    public static final int KVM_CAP_EXT_CPUID = 7;
    public static final int KVM_CAP_NR_VCPUS = 9;
    public static final int KVM_CAP_NR_MEMSLOTS = 10;
    public static final int KVM_CAP_PIT = 11;
    public static final int KVM_CAP_SYNC_MMU = 16;
    public static final int KVM_CAP_IRQ_INJECT_STATUS = 26;
    public static final int KVM_CAP_IRQFD = 32;
    public static final int KVM_CAP_PIT2 = 33;
    public static final int KVM_CAP_IOEVENTFD = 36;
    public static final int KVM_CAP_SET_IDENTITY_MAP_ADDR = 37;
    public static final int KVM_CAP_ADJUST_CLOCK = 39;
    public static final int KVM_CAP_INTERNAL_ERROR_DATA = 40;
    public static final int KVM_CAP_VCPU_EVENTS = 41;
    public static final int KVM_CAP_DEBUGREGS = 50;
    public static final int KVM_CAP_ENABLE_CAP = 54;
    public static final int KVM_CAP_XSAVE = 55;
    public static final int KVM_CAP_XCRS = 56;
    public static final int KVM_CAP_MAX_VCPUS = 66;
    public static final int KVM_CAP_TSC_DEADLINE_TIMER = 72;
    public static final int KVM_CAP_SYNC_REGS = 74;
    public static final int KVM_CAP_READONLY_MEM = 81;
    public static final int KVM_CAP_IRQFD_RESAMPLE = 82;
    public static final int KVM_CAP_ENABLE_CAP_VM = 98;
    public static final int KVM_CAP_CHECK_EXTENSION_VM = 105;
    public static final int KVM_CAP_SPLIT_IRQCHIP = 121;
    public static final int KVM_CAP_MAX_VCPU_ID = 128;
    public static final int KVM_CAP_X2APIC_API = 129;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    public static final int KVM_CAP_X86_DISABLE_EXITS = 143;
    public static final int KVM_CAP_GET_MSR_FEATURES = 153;
    public static final int KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 = 168;
    public static final int KVM_CAP_DIRTY_LOG_RING = 192;
    public static final int KVM_CAP_EXIT_ON_EMULATION_FAILURE = 204;
    public static final int KVM_CAP_XSAVE2 = 208;
    public static final int KVM_CAP_SYSTEM_EVENT_DATA = 215;
    public static final int KVM_CAP_USER_MEMORY2 = 231;
    public static final int KVM_CAP_MEMORY_FAULT_INFO = 232;
    public static final int KVM_CAP_MEMORY_ATTRIBUTES = 233;
    public static final int KVM_CAP_GUEST_MEMFD = 234;
    public static final int KVM_CAP_VM_TYPES = 235;
    public static final int KVM_CAP_PRE_FAULT_MEMORY = 236;

    // kvm_run.exit_reason.
    public static final int KVM_EXIT_UNKNOWN = 0;
    public static final int KVM_EXIT_EXCEPTION = 1;
    public static final int KVM_EXIT_IO = 2;
    public static final int KVM_EXIT_HYPERCALL = 3;
    public static final int KVM_EXIT_DEBUG = 4;
    public static final int KVM_EXIT_HLT = 5;
    public static final int KVM_EXIT_MMIO = 6;
    public static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    public static final int KVM_EXIT_SHUTDOWN = 8;
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    public static final int KVM_EXIT_INTR = 10;
    public static final int KVM_EXIT_SET_TPR = 11;
    public static final int KVM_EXIT_TPR_ACCESS = 12;
    public static final int KVM_EXIT_S390_SIEIC = 13;
    public static final int KVM_EXIT_S390_RESET = 14;
    public static final int KVM_EXIT_DCR = 15;
    public static final int KVM_EXIT_NMI = 16;
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    public static final int KVM_EXIT_OSI = 18;
    public static final int KVM_EXIT_PAPR_HCALL = 19;
    public static final int KVM_EXIT_S390_UCONTROL = 20;
    public static final int KVM_EXIT_WATCHDOG = 21;
    public static final int KVM_EXIT_S390_TSCH = 22;
    public static final int KVM_EXIT_EPR = 23;
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;
    public static final int KVM_EXIT_S390_STSI = 25;
    public static final int KVM_EXIT_IOAPIC_EOI = 26;
    public static final int KVM_EXIT_HYPERV = 27;
    public static final int KVM_EXIT_ARM_NISV = 28;
    public static final int KVM_EXIT_X86_RDMSR = 29;
    public static final int KVM_EXIT_X86_WRMSR = 30;
    public static final int KVM_EXIT_DIRTY_RING_FULL = 31;
    public static final int KVM_EXIT_AP_RESET_HOLD = 32;
    public static final int KVM_EXIT_X86_BUS_LOCK = 33;
    public static final int KVM_EXIT_XEN = 34;
    public static final int KVM_EXIT_RISCV_SBI = 35;
    public static final int KVM_EXIT_RISCV_CSR = 36;
    public static final int KVM_EXIT_NOTIFY = 37;
    public static final int KVM_EXIT_LOONGARCH_IOCSR = 38;
    public static final int KVM_EXIT_MEMORY_FAULT = 39;

    // kvm_run.io_direction.
    public static final int KVM_EXIT_IO_IN = 0;
    public static final int KVM_EXIT_IO_OUT = 1;

    // kvm_run.internal_suberror for KVM_EXIT_INTERNAL_ERROR.
    public static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    public static final int KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    public static final int KVM_INTERNAL_ERROR_DELIVERY_EV = 3;
    public static final int KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;

    // kvm_run.system_event_type for KVM_EXIT_SYSTEM_EVENT.
    public static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    public static final int KVM_SYSTEM_EVENT_RESET = 2;
    public static final int KVM_SYSTEM_EVENT_CRASH = 3;
    public static final int KVM_SYSTEM_EVENT_WAKEUP = 4;
    public static final int KVM_SYSTEM_EVENT_SUSPEND = 5;
    public static final int KVM_SYSTEM_EVENT_SEV_TERM = 6;

    // kvm_run.memory_fault_flags for KVM_EXIT_MEMORY_FAULT.
    public static final long KVM_MEMORY_EXIT_FLAG_PRIVATE = 1L << 3;

    // kvm_userspace_memory_region(2).flags.
    public static final int KVM_MEM_LOG_DIRTY_PAGES = 1 << 0;
    public static final int KVM_MEM_READONLY = 1 << 1;
    public static final int KVM_MEM_GUEST_MEMFD = 1 << 2;

    // kvm_memory_attributes.attributes.
    public static final long KVM_MEMORY_ATTRIBUTE_PRIVATE = 1L << 3;

    // kvm_mp_state.mp_state.
    public static final int KVM_MP_STATE_RUNNABLE = 0;
    public static final int KVM_MP_STATE_UNINITIALIZED = 1;
    public static final int KVM_MP_STATE_INIT_RECEIVED = 2;
    public static final int KVM_MP_STATE_HALTED = 3;
    public static final int KVM_MP_STATE_SIPI_RECEIVED = 4;
    public static final int KVM_MP_STATE_STOPPED = 5;
    public static final int KVM_MP_STATE_CHECK_STOP = 6;
    public static final int KVM_MP_STATE_OPERATING = 7;
    public static final int KVM_MP_STATE_LOAD = 8;
    public static final int KVM_MP_STATE_AP_RESET_HOLD = 9;
    public static final int KVM_MP_STATE_SUSPENDED = 10;

    // kvm_irqfd.flags.
    public static final int KVM_IRQFD_FLAG_DEASSIGN = 1 << 0;
    public static final int KVM_IRQFD_FLAG_RESAMPLE = 1 << 1;

    // kvm_ioeventfd.flags.
    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1 << 0;
    public static final int KVM_IOEVENTFD_FLAG_PIO = 1 << 1;
    public static final int KVM_IOEVENTFD_FLAG_DEASSIGN = 1 << 2;

    // kvm_pit_config.flags.
    public static final int KVM_PIT_SPEAKER_DUMMY = 1;

    // kvm_cpuid_entry2.flags; the misspelling is the kernel's.
    public static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1 << 0;
    public static final int KVM_CPUID_FLAG_STATEFUL_FUNC = 1 << 1;
    public static final int KVM_CPUID_FLAG_STATE_READ_NEXT = 1 << 2;

    // VM types, the argument of KVM_CREATE_VM; KVM_CAP_VM_TYPES reports them as a bit mask.
    public static final int KVM_X86_DEFAULT_VM = 0;
    public static final int KVM_X86_SW_PROTECTED_VM = 1;
    public static final int KVM_X86_SEV_VM = 2;
    public static final int KVM_X86_SEV_ES_VM = 3;
    public static final int KVM_X86_SNP_VM = 4;

    // x86.
    public static final int KVM_NR_INTERRUPTS = 256;
    public static final int KVM_APIC_REG_SIZE = 0x400;
}
