// SPDX-License-Identifier: Apache-2.0
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
    /**
     * An in-kernel interrupt controller (PIC, IOAPIC, local APICs), created with {@code KVM_CREATE_IRQCHIP}.
     */
    public static final int KVM_CAP_IRQCHIP = 0;
    /** The guest's HLT is handled in the kernel with an in-kernel local APIC (x86 always reports it). */
    public static final int KVM_CAP_HLT = 1;
    /** Guest memory from user space: {@code KVM_SET_USER_MEMORY_REGION}. */
    public static final int KVM_CAP_USER_MEMORY = 3;
    /**
     * {@code KVM_SET_TSS_ADDR}, the guest-physical pages Intel VMX needs for real mode's task state segment.
     */
    public static final int KVM_CAP_SET_TSS_ADDR = 4;
    /** {@code KVM_GET_SUPPORTED_CPUID} and {@code KVM_SET_CPUID2}. */
    public static final int KVM_CAP_EXT_CPUID = 7;
    /** The recommended maximum number of vCPUs per VM (the value of the check). */
    public static final int KVM_CAP_NR_VCPUS = 9;
    /** The maximum number of memory slots per address space (the value of the check). */
    public static final int KVM_CAP_NR_MEMSLOTS = 10;
    /** An in-kernel i8254 timer (PIT). */
    public static final int KVM_CAP_PIT = 11;
    /** Changes to the host mappings of guest memory (munmap, madvise, migration) reach KVM's page tables. */
    public static final int KVM_CAP_SYNC_MMU = 16;
    /** {@code KVM_IRQ_LINE_STATUS}, which reports whether an interrupt was delivered. */
    public static final int KVM_CAP_IRQ_INJECT_STATUS = 26;
    /** {@code KVM_IRQFD}: an eventfd that raises a guest interrupt line. */
    public static final int KVM_CAP_IRQFD = 32;
    /** {@code KVM_CREATE_PIT2}, the in-kernel PIT with a configuration. */
    public static final int KVM_CAP_PIT2 = 33;
    /** {@code KVM_IOEVENTFD}: a guest write to an address or port that signals an eventfd. */
    public static final int KVM_CAP_IOEVENTFD = 36;
    /** {@code KVM_GET_PIT2} and {@code KVM_SET_PIT2}, the PIT state with flags. */
    public static final int KVM_CAP_PIT_STATE2 = 35;
    /**
     * {@code KVM_SET_IDENTITY_MAP_ADDR}, the guest-physical page Intel VMX uses for real-mode identity page
     * tables.
     */
    public static final int KVM_CAP_SET_IDENTITY_MAP_ADDR = 37;
    /** {@code KVM_GET_CLOCK} and {@code KVM_SET_CLOCK}, the VM's kvmclock. */
    public static final int KVM_CAP_ADJUST_CLOCK = 39;
    /** {@code KVM_EXIT_INTERNAL_ERROR} carries {@code internal.ndata} words of data. */
    public static final int KVM_CAP_INTERNAL_ERROR_DATA = 40;
    /**
     * {@code KVM_GET_VCPU_EVENTS} and {@code KVM_SET_VCPU_EVENTS}: pending exceptions, interrupts and NMIs.
     */
    public static final int KVM_CAP_VCPU_EVENTS = 41;
    /** {@code KVM_GET_DEBUGREGS} and {@code KVM_SET_DEBUGREGS}. */
    public static final int KVM_CAP_DEBUGREGS = 50;
    /** {@code KVM_ENABLE_CAP} on a vCPU fd. */
    public static final int KVM_CAP_ENABLE_CAP = 54;
    /** {@code KVM_GET_XSAVE} and {@code KVM_SET_XSAVE}, the extended FPU state. */
    public static final int KVM_CAP_XSAVE = 55;
    /** {@code KVM_GET_XCRS} and {@code KVM_SET_XCRS}, the extended control registers (XCR0). */
    public static final int KVM_CAP_XCRS = 56;
    /** The maximum number of vCPUs per VM (the value of the check). */
    public static final int KVM_CAP_MAX_VCPUS = 66;
    /** {@code KVM_SET_TSC_KHZ} with TSC scaling: any guest TSC frequency KVM can scale to. */
    public static final int KVM_CAP_TSC_CONTROL = 60;
    /** {@code KVM_GET_TSC_KHZ} on a vCPU fd. */
    public static final int KVM_CAP_GET_TSC_KHZ = 61;
    /** The local APIC's TSC-deadline timer mode can be offered to the guest. */
    public static final int KVM_CAP_TSC_DEADLINE_TIMER = 72;
    /**
     * Registers synchronized through {@code kvm_run.s}: the value is the mask of {@code KVM_SYNC_X86_*} sets.
     */
    public static final int KVM_CAP_SYNC_REGS = 74;
    /** {@code KVM_KVMCLOCK_CTRL}, which tells a guest with kvmclock that the VMM paused it. */
    public static final int KVM_CAP_KVMCLOCK_CTRL = 76;
    /** Read-only memory slots ({@code KVM_MEM_READONLY}): guest writes to them exit as MMIO. */
    public static final int KVM_CAP_READONLY_MEM = 81;
    /** Level-triggered irqfds ({@code KVM_IRQFD_FLAG_RESAMPLE}). */
    public static final int KVM_CAP_IRQFD_RESAMPLE = 82;
    /** {@code KVM_ENABLE_CAP} on a VM fd. */
    public static final int KVM_CAP_ENABLE_CAP_VM = 98;
    /** {@code KVM_CHECK_EXTENSION} on a VM fd, which answers for that VM. */
    public static final int KVM_CAP_CHECK_EXTENSION_VM = 105;
    /**
     * The split irqchip: local APICs in the kernel, PIC and IOAPIC in user space (enabled with
     * {@code KVM_ENABLE_CAP}).
     */
    public static final int KVM_CAP_SPLIT_IRQCHIP = 121;
    /** The largest vCPU id plus 1 (the value of the check). */
    public static final int KVM_CAP_MAX_VCPU_ID = 128;
    /** The x2APIC API: 32-bit APIC ids and broadcast quirk control (enabled with {@code KVM_ENABLE_CAP}). */
    public static final int KVM_CAP_X2APIC_API = 129;
    /** {@code kvm_run.immediate_exit}, which makes {@code KVM_RUN} return at once with EINTR. */
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    /**
     * Guest HLT, MWAIT, PAUSE or C-states that no longer exit (enabled with {@code KVM_ENABLE_CAP}; the value
     * is the mask allowed).
     */
    public static final int KVM_CAP_X86_DISABLE_EXITS = 143;
    /**
     * {@code KVM_GET_MSR_FEATURE_INDEX_LIST} and feature MSRs read through {@code KVM_GET_MSRS} on /dev/kvm.
     */
    public static final int KVM_CAP_GET_MSR_FEATURES = 153;
    /** Dirty logging where user space re-protects pages itself ({@code KVM_CLEAR_DIRTY_LOG}). */
    public static final int KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 = 168;
    /** A per-vCPU ring of dirty pages instead of the bitmap (the value is the largest ring size in bytes). */
    public static final int KVM_CAP_DIRTY_LOG_RING = 192;
    /** When enabled, an instruction KVM fails to emulate exits with its bytes in {@code KVM_EXIT_INTERNAL_ERROR}. */
    public static final int KVM_CAP_EXIT_ON_EMULATION_FAILURE = 204;
    /** {@code KVM_GET_XSAVE2}: the value is the size of the XSAVE area for the enabled features. */
    public static final int KVM_CAP_XSAVE2 = 208;
    /** {@code KVM_EXIT_SYSTEM_EVENT} carries {@code system_event.ndata} words of data. */
    public static final int KVM_CAP_SYSTEM_EVENT_DATA = 215;
    /** {@code KVM_SET_USER_MEMORY_REGION2}. */
    public static final int KVM_CAP_USER_MEMORY2 = 231;
    /** Guest memory faults that user space can resolve exit with {@code KVM_EXIT_MEMORY_FAULT}. */
    public static final int KVM_CAP_MEMORY_FAULT_INFO = 232;
    /**
     * {@code KVM_SET_MEMORY_ATTRIBUTES}: the value is the mask of {@code KVM_MEMORY_ATTRIBUTE_*} supported.
     */
    public static final int KVM_CAP_MEMORY_ATTRIBUTES = 233;
    /** {@code KVM_CREATE_GUEST_MEMFD}: private guest memory that user space does not map. */
    public static final int KVM_CAP_GUEST_MEMFD = 234;
    /** The VM types {@code KVM_CREATE_VM} accepts, as a bit mask of {@code KVM_X86_*_VM}. */
    public static final int KVM_CAP_VM_TYPES = 235;
    /**
     * {@code KVM_PRE_FAULT_MEMORY} (Linux 6.10+, with EPT or NPT): build stage-2 page tables ahead of the
     * guest.
     */
    public static final int KVM_CAP_PRE_FAULT_MEMORY = 236;

    // kvm_run.exit_reason.
    /** An exit KVM does not handle; the hardware reason is in {@code hw.hardware_exit_reason}. */
    public static final int KVM_EXIT_UNKNOWN = 0;
    /** A guest exception KVM passes to user space ({@code kvm_run.ex}). */
    public static final int KVM_EXIT_EXCEPTION = 1;
    /** A guest IN or OUT: {@code kvm_run.io}, the data at {@code io.data_offset} in the run area. */
    public static final int KVM_EXIT_IO = 2;
    /** A guest hypercall KVM passes to user space ({@code kvm_run.hypercall}). */
    public static final int KVM_EXIT_HYPERCALL = 3;
    /** A guest debug event: breakpoint or single step ({@code kvm_run.debug}). */
    public static final int KVM_EXIT_DEBUG = 4;
    /** A guest HLT, without an in-kernel local APIC. */
    public static final int KVM_EXIT_HLT = 5;
    /** A guest access to an address no memory slot backs: {@code kvm_run.mmio}. */
    public static final int KVM_EXIT_MMIO = 6;
    /** The guest can now take an interrupt, as {@code request_interrupt_window} asked. */
    public static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    /** The guest shut down, as on a triple fault. */
    public static final int KVM_EXIT_SHUTDOWN = 8;
    /** VM entry failed: {@code kvm_run.fail_entry}. */
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    /** A signal interrupted {@code KVM_RUN} (EINTR). */
    public static final int KVM_EXIT_INTR = 10;
    /** A guest write to the task priority register (no current kernel reports it). */
    public static final int KVM_EXIT_SET_TPR = 11;
    /** A guest access to the local APIC's task priority register, when reporting is enabled. */
    public static final int KVM_EXIT_TPR_ACCESS = 12;
    /** s390 only. */
    public static final int KVM_EXIT_S390_SIEIC = 13;
    /** s390 only. */
    public static final int KVM_EXIT_S390_RESET = 14;
    /** PowerPC only (no longer reported). */
    public static final int KVM_EXIT_DCR = 15;
    /** An NMI exit (unused by x86 KVM). */
    public static final int KVM_EXIT_NMI = 16;
    /** KVM failed inside, such as an emulation failure: {@code kvm_run.internal}. */
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    /** PowerPC only. */
    public static final int KVM_EXIT_OSI = 18;
    /** PowerPC only. */
    public static final int KVM_EXIT_PAPR_HCALL = 19;
    /** s390 only. */
    public static final int KVM_EXIT_S390_UCONTROL = 20;
    /** PowerPC only. */
    public static final int KVM_EXIT_WATCHDOG = 21;
    /** s390 only. */
    public static final int KVM_EXIT_S390_TSCH = 22;
    /** PowerPC only. */
    public static final int KVM_EXIT_EPR = 23;
    /** A system event, such as an ACPI or PSCI shutdown or reset: {@code kvm_run.system_event}. */
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;
    /** s390 only. */
    public static final int KVM_EXIT_S390_STSI = 25;
    /** An end of interrupt for a level-triggered IOAPIC line, with the split irqchip. */
    public static final int KVM_EXIT_IOAPIC_EOI = 26;
    /** A Hyper-V event (SynIC, hypercall) for user space. */
    public static final int KVM_EXIT_HYPERV = 27;
    /** Arm only. */
    public static final int KVM_EXIT_ARM_NISV = 28;
    /** A guest RDMSR for user space to answer ({@code KVM_CAP_X86_USER_SPACE_MSR}). */
    public static final int KVM_EXIT_X86_RDMSR = 29;
    /** A guest WRMSR for user space to handle ({@code KVM_CAP_X86_USER_SPACE_MSR}). */
    public static final int KVM_EXIT_X86_WRMSR = 30;
    /** The vCPU's dirty ring is full and must be harvested. */
    public static final int KVM_EXIT_DIRTY_RING_FULL = 31;
    /** An SEV-ES application processor waits in AP reset hold. */
    public static final int KVM_EXIT_AP_RESET_HOLD = 32;
    /** The guest took a bus lock, when bus lock detection is enabled. */
    public static final int KVM_EXIT_X86_BUS_LOCK = 33;
    /** A Xen hypercall or event for user space. */
    public static final int KVM_EXIT_XEN = 34;
    /** RISC-V only. */
    public static final int KVM_EXIT_RISCV_SBI = 35;
    /** RISC-V only. */
    public static final int KVM_EXIT_RISCV_CSR = 36;
    /** The CPU went too long without an event window, as a guest can make it (Intel's notify VM exit). */
    public static final int KVM_EXIT_NOTIFY = 37;
    /** LoongArch only. */
    public static final int KVM_EXIT_LOONGARCH_IOCSR = 38;
    /**
     * A guest access user space must resolve first, such as a private/shared mismatch:
     * {@code kvm_run.memory_fault}.
     */
    public static final int KVM_EXIT_MEMORY_FAULT = 39;

    // kvm_run.io_direction.
    /** {@code io.direction} of an IN: user space writes the data. */
    public static final int KVM_EXIT_IO_IN = 0;
    /** {@code io.direction} of an OUT: the guest's data is there to read. */
    public static final int KVM_EXIT_IO_OUT = 1;

    // kvm_run.internal_suberror for KVM_EXIT_INTERNAL_ERROR.
    /** KVM could not emulate an instruction. */
    public static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    /** An exception occurred while KVM was delivering another one. */
    public static final int KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    /** An exit happened while an event was being delivered to the guest, which KVM cannot resume. */
    public static final int KVM_INTERNAL_ERROR_DELIVERY_EV = 3;
    /** The hardware reported an exit reason KVM does not know. */
    public static final int KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;

    // kvm_run.system_event_type for KVM_EXIT_SYSTEM_EVENT.
    /** The guest asked to power off. */
    public static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    /** The guest asked to reset. */
    public static final int KVM_SYSTEM_EVENT_RESET = 2;
    /** The guest reported a crash (Hyper-V crash MSRs). */
    public static final int KVM_SYSTEM_EVENT_CRASH = 3;
    /** A vCPU suspended by the guest should wake up (Arm). */
    public static final int KVM_SYSTEM_EVENT_WAKEUP = 4;
    /** The guest asked to suspend the VM (Arm). */
    public static final int KVM_SYSTEM_EVENT_SUSPEND = 5;
    /** An SEV-ES guest asked to terminate. */
    public static final int KVM_SYSTEM_EVENT_SEV_TERM = 6;

    // kvm_run.memory_fault_flags for KVM_EXIT_MEMORY_FAULT.
    /** The faulting access was to private memory. */
    public static final long KVM_MEMORY_EXIT_FLAG_PRIVATE = 1L << 3;

    // kvm_userspace_memory_region(2).flags.
    /** Track the slot's written pages, for {@code KVM_GET_DIRTY_LOG}. */
    public static final int KVM_MEM_LOG_DIRTY_PAGES = 1 << 0;
    /** The guest can read the slot but its writes exit as MMIO ({@code KVM_CAP_READONLY_MEM}). */
    public static final int KVM_MEM_READONLY = 1 << 1;
    /**
     * The slot's private memory comes from {@code guest_memfd} ({@code kvm_userspace_memory_region2} only).
     */
    public static final int KVM_MEM_GUEST_MEMFD = 1 << 2;

    // kvm_memory_attributes.attributes.
    /** The range is private: backed by the slot's guest_memfd, not user memory. */
    public static final long KVM_MEMORY_ATTRIBUTE_PRIVATE = 1L << 3;

    // kvm_mp_state.mp_state.
    /** The vCPU runs. */
    public static final int KVM_MP_STATE_RUNNABLE = 0;
    /** An application processor waiting for INIT. */
    public static final int KVM_MP_STATE_UNINITIALIZED = 1;
    /** An application processor that received INIT and waits for SIPI. */
    public static final int KVM_MP_STATE_INIT_RECEIVED = 2;
    /** The vCPU executed HLT and waits for an interrupt. */
    public static final int KVM_MP_STATE_HALTED = 3;
    /** An application processor that received SIPI. */
    public static final int KVM_MP_STATE_SIPI_RECEIVED = 4;
    /** s390: the vCPU is stopped. */
    public static final int KVM_MP_STATE_STOPPED = 5;
    /** s390: the vCPU is in check-stop. */
    public static final int KVM_MP_STATE_CHECK_STOP = 6;
    /** s390: the vCPU is operating. */
    public static final int KVM_MP_STATE_OPERATING = 7;
    /** s390: the vCPU is in load state. */
    public static final int KVM_MP_STATE_LOAD = 8;
    /** An SEV-ES application processor in AP reset hold. */
    public static final int KVM_MP_STATE_AP_RESET_HOLD = 9;
    /** Arm: the vCPU is suspended and waits for a wakeup event. */
    public static final int KVM_MP_STATE_SUSPENDED = 10;

    // kvm_irqfd.flags.
    /** Remove the eventfd's binding instead of adding it. */
    public static final int KVM_IRQFD_FLAG_DEASSIGN = 1 << 0;
    /** Level-triggered: KVM lowers the line and signals {@code resamplefd} when the guest acknowledges it. */
    public static final int KVM_IRQFD_FLAG_RESAMPLE = 1 << 1;

    // kvm_ioeventfd.flags.
    /** Signal only for a write of {@code datamatch}. */
    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1 << 0;
    /** {@code addr} is an I/O port, not an MMIO address. */
    public static final int KVM_IOEVENTFD_FLAG_PIO = 1 << 1;
    /** Remove the ioeventfd instead of adding it. */
    public static final int KVM_IOEVENTFD_FLAG_DEASSIGN = 1 << 2;

    // kvm_pit_config.flags.
    /** Emulate a dummy PC speaker port (0x61) with the PIT. */
    public static final int KVM_PIT_SPEAKER_DUMMY = 1;

    // kvm_cpuid_entry2.flags; the misspelling is the kernel's.
    /** The leaf has subleaves: {@code index} selects one. */
    public static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1 << 0;
    /** A stateful leaf that returns different values on successive reads (obsolete). */
    public static final int KVM_CPUID_FLAG_STATEFUL_FUNC = 1 << 1;
    /** Of a stateful leaf, the entry the next read returns (obsolete). */
    public static final int KVM_CPUID_FLAG_STATE_READ_NEXT = 1 << 2;

    // VM types, the argument of KVM_CREATE_VM; KVM_CAP_VM_TYPES reports them as a bit mask.
    /** An ordinary VM. */
    public static final int KVM_X86_DEFAULT_VM = 0;
    /** A VM with private memory but no hardware protection, for testing guest_memfd. */
    public static final int KVM_X86_SW_PROTECTED_VM = 1;
    /** An AMD SEV guest: encrypted memory. */
    public static final int KVM_X86_SEV_VM = 2;
    /** An AMD SEV-ES guest: encrypted memory and register state. */
    public static final int KVM_X86_SEV_ES_VM = 3;
    /** An AMD SEV-SNP guest: encrypted, integrity-protected memory. */
    public static final int KVM_X86_SNP_VM = 4;

    // x86.
    /** The number of x86 interrupt vectors, the bits of {@code kvm_sregs.interrupt_bitmap}. */
    public static final int KVM_NR_INTERRUPTS = 256;
    /** The size in bytes of the local APIC register page, {@code kvm_lapic_state.regs}. */
    public static final int KVM_APIC_REG_SIZE = 0x400;
    /** The number of pins, and redirection table entries, of the in-kernel IOAPIC. */
    public static final int KVM_IOAPIC_NUM_PINS = 24;
    /** The most extended control registers {@code kvm_xcrs} holds. */
    public static final int KVM_MAX_XCRS = 16;

    // kvm_irqchip.chip_id.
    /** The master i8259 PIC, IRQs 0 to 7. */
    public static final int KVM_IRQCHIP_PIC_MASTER = 0;
    /** The slave i8259 PIC, IRQs 8 to 15. */
    public static final int KVM_IRQCHIP_PIC_SLAVE = 1;
    /** The IOAPIC. */
    public static final int KVM_IRQCHIP_IOAPIC = 2;

    // kvm_pit_state2.flags.
    /** The HPET has taken over the PIT's interrupt (legacy replacement mode). */
    public static final int KVM_PIT_FLAGS_HPET_LEGACY = 0x00000001;
    /** The PC speaker's data line is on (port 0x61 bit 1). */
    public static final int KVM_PIT_FLAGS_SPEAKER_DATA_ON = 0x00000002;

    // kvm_vcpu_events.flags: which optional fields KVM_SET_VCPU_EVENTS takes.
    /** {@code nmi.pending} is valid. */
    public static final int KVM_VCPUEVENT_VALID_NMI_PENDING = 0x00000001;
    /** {@code sipi_vector} is valid. */
    public static final int KVM_VCPUEVENT_VALID_SIPI_VECTOR = 0x00000002;
    /** {@code interrupt.shadow} is valid. */
    public static final int KVM_VCPUEVENT_VALID_SHADOW = 0x00000004;
    /** {@code smi} is valid. */
    public static final int KVM_VCPUEVENT_VALID_SMM = 0x00000008;
    /** {@code exception.pending} and the exception payload are valid. */
    public static final int KVM_VCPUEVENT_VALID_PAYLOAD = 0x00000010;
    /** {@code triple_fault} is valid. */
    public static final int KVM_VCPUEVENT_VALID_TRIPLE_FAULT = 0x00000020;

    // kvm_vcpu_events.interrupt.shadow.
    /** Interrupts are blocked for one instruction after a MOV to SS. */
    public static final int KVM_X86_SHADOW_INT_MOV_SS = 0x01;
    /** Interrupts are blocked for one instruction after an STI. */
    public static final int KVM_X86_SHADOW_INT_STI = 0x02;

    // kvm_clock_data.flags.
    /** The kvmclock is stable: the same on every vCPU (a master clock). */
    public static final int KVM_CLOCK_TSC_STABLE = 2;
    /** {@code realtime} is valid; on set, the clock advances by the time since. */
    public static final int KVM_CLOCK_REALTIME = 1 << 2;
    /** {@code host_tsc} is valid. */
    public static final int KVM_CLOCK_HOST_TSC = 1 << 3;
}
