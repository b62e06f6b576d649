// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

/**
 * KVM ioctl numbers, as include/uapi/linux/kvm.h defines them; each constant's comment gives the
 * kernel's definition ({@link dev.vmm.ffm.Ioctl} encodes such definitions). They are written out
 * rather than computed from the struct classes' layouts: computing them loaded every struct class
 * when the first ioctl was issued (tens of milliseconds of a program's start-up), and as literals
 * javac copies them into the callers. UapiLayoutTest compares every constant with the kernel's
 * headers, and every struct's size with its layout.
 */
public final class KvmIoctls {
    private KvmIoctls() {}

    /** The ioctl type byte of every KVM ioctl. */
    public static final int KVMIO = 0xAE;

    // ioctls on /dev/kvm.
    /** On /dev/kvm: returns the API version, {@link KvmConstants#KVM_API_VERSION}. */
    public static final long KVM_GET_API_VERSION = 0xae00L; // _IO(KVMIO, 0x00)
    /** On /dev/kvm, with the VM type as argument: returns a new VM fd. */
    public static final long KVM_CREATE_VM = 0xae01L; // _IO(KVMIO, 0x01)
    /**
     * On /dev/kvm: fills a {@link kvm_msr_list} with the MSRs {@code KVM_GET_MSRS} and {@code KVM_SET_MSRS}
     * support.
     */
    public static final long KVM_GET_MSR_INDEX_LIST = 0xc004ae02L; // _IOWR(KVMIO, 0x02, struct kvm_msr_list)
    /**
     * On /dev/kvm or a VM fd, with a {@code KVM_CAP_*} as argument: returns 0 when absent, else 1 or the
     * capability's value.
     */
    public static final long KVM_CHECK_EXTENSION = 0xae03L; // _IO(KVMIO, 0x03)
    /**
     * On /dev/kvm: returns the size of the run area to mmap from a vCPU fd ({@link kvm_run} and what follows
     * it).
     */
    public static final long KVM_GET_VCPU_MMAP_SIZE = 0xae04L; // _IO(KVMIO, 0x04)
    /**
     * On /dev/kvm: fills a {@link kvm_cpuid2} with the CPUID leaves KVM can offer a guest (E2BIG when it has
     * too little room).
     */
    public static final long KVM_GET_SUPPORTED_CPUID = 0xc008ae05L; // _IOWR(KVMIO, 0x05, struct kvm_cpuid2)
    /** On /dev/kvm: fills a {@link kvm_cpuid2} with the CPUID features KVM emulates in software. */
    public static final long KVM_GET_EMULATED_CPUID = 0xc008ae09L; // _IOWR(KVMIO, 0x09, struct kvm_cpuid2)
    /**
     * On /dev/kvm: fills a {@link kvm_msr_list} with the feature MSRs readable through {@code KVM_GET_MSRS}
     * on /dev/kvm.
     */
    public static final long KVM_GET_MSR_FEATURE_INDEX_LIST = 0xc004ae0aL; // _IOWR(KVMIO, 0x0a, struct kvm_msr_list)

    // ioctls on a VM fd.
    /** On a VM fd, with the vCPU id as argument: returns a new vCPU fd. */
    public static final long KVM_CREATE_VCPU = 0xae41L; // _IO(KVMIO, 0x41)
    /** On a VM fd: writes a slot's dirty page bitmap where {@link kvm_dirty_log} points, and resets it. */
    public static final long KVM_GET_DIRTY_LOG = 0x4010ae42L; // _IOW(KVMIO, 0x42, struct kvm_dirty_log)
    /** On a VM fd, with a page count as argument: caps the pages KVM's shadow MMU may use. */
    public static final long KVM_SET_NR_MMU_PAGES = 0xae44L; // _IO(KVMIO, 0x44)
    /**
     * On a VM fd: creates, moves, resizes or deletes a memory slot, a {@link kvm_userspace_memory_region}.
     */
    public static final long KVM_SET_USER_MEMORY_REGION = 0x4020ae46L; // _IOW(KVMIO, 0x46, struct kvm_userspace_memory_region)
    /**
     * On a VM fd, with a guest-physical address as argument: where Intel VMX keeps three pages for real
     * mode's task state segment.
     */
    public static final long KVM_SET_TSS_ADDR = 0xae47L; // _IO(KVMIO, 0x47)
    /**
     * On a VM fd, with a pointer to a 64-bit guest-physical address: where Intel VMX keeps the page of its
     * real-mode identity page table.
     */
    public static final long KVM_SET_IDENTITY_MAP_ADDR = 0x4008ae48L; // _IOW(KVMIO, 0x48, __u64)
    /**
     * On a VM fd: {@code KVM_SET_USER_MEMORY_REGION} with a guest_memfd, a
     * {@link kvm_userspace_memory_region2}.
     */
    public static final long KVM_SET_USER_MEMORY_REGION2 = 0x40a0ae49L; // _IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
    /** On a VM fd: creates the in-kernel PIC, IOAPIC and local APICs (before any vCPU). */
    public static final long KVM_CREATE_IRQCHIP = 0xae60L; // _IO(KVMIO, 0x60)
    /** On a VM fd: sets an interrupt line of the in-kernel irqchip to a level, a {@link kvm_irq_level}. */
    public static final long KVM_IRQ_LINE = 0x4008ae61L; // _IOW(KVMIO, 0x61, struct kvm_irq_level)
    /**
     * On a VM fd: {@code KVM_IRQ_LINE} that writes the delivery status back into the {@link kvm_irq_level}.
     */
    public static final long KVM_IRQ_LINE_STATUS = 0xc008ae67L; // _IOWR(KVMIO, 0x67, struct kvm_irq_level)
    /**
     * On a VM fd: reads the state of the in-kernel PIC or IOAPIC that {@link kvm_irqchip}'s {@code chip_id}
     * names (after {@code KVM_CREATE_IRQCHIP}).
     */
    public static final long KVM_GET_IRQCHIP = 0xc208ae62L; // _IOWR(KVMIO, 0x62, struct kvm_irqchip)
    // The kernel declares it _IOR although the kernel reads the struct: the number is what matters.
    /** On a VM fd: writes the state of the in-kernel PIC or IOAPIC from a {@link kvm_irqchip}. */
    public static final long KVM_SET_IRQCHIP = 0x8208ae63L; // _IOR(KVMIO, 0x63, struct kvm_irqchip)
    /** On a VM fd: binds an eventfd to an interrupt line, or removes the binding, a {@link kvm_irqfd}. */
    public static final long KVM_IRQFD = 0x4020ae76L; // _IOW(KVMIO, 0x76, struct kvm_irqfd)
    /**
     * On a VM fd: creates the in-kernel i8254 timer, a {@link kvm_pit_config} (after
     * {@code KVM_CREATE_IRQCHIP}).
     */
    public static final long KVM_CREATE_PIT2 = 0x4040ae77L; // _IOW(KVMIO, 0x77, struct kvm_pit_config)
    /**
     * On a VM fd: sets the kvmclock from a {@link kvm_clock_data}, advanced by the time since its
     * {@code realtime} with {@code KVM_CLOCK_REALTIME}.
     */
    public static final long KVM_SET_CLOCK = 0x4030ae7bL; // _IOW(KVMIO, 0x7b, struct kvm_clock_data)
    /** On a VM fd: reads the kvmclock into a {@link kvm_clock_data}. */
    public static final long KVM_GET_CLOCK = 0x8030ae7cL; // _IOR(KVMIO, 0x7c, struct kvm_clock_data)
    /** On a VM fd: reads the in-kernel PIT's state into a {@link kvm_pit_state2} (after {@code KVM_CREATE_PIT2}). */
    public static final long KVM_GET_PIT2 = 0x8070ae9fL; // _IOR(KVMIO, 0x9f, struct kvm_pit_state2)
    /** On a VM fd: writes the in-kernel PIT's state from a {@link kvm_pit_state2}. */
    public static final long KVM_SET_PIT2 = 0x4070aea0L; // _IOW(KVMIO, 0xa0, struct kvm_pit_state2)
    /**
     * On a VM fd: adds or removes an eventfd that a guest write to an MMIO address or port signals, a
     * {@link kvm_ioeventfd}.
     */
    public static final long KVM_IOEVENTFD = 0x4040ae79L; // _IOW(KVMIO, 0x79, struct kvm_ioeventfd)
    /**
     * On a VM fd: sets attributes such as private on a guest-physical range, a {@link kvm_memory_attributes}.
     */
    public static final long KVM_SET_MEMORY_ATTRIBUTES = 0x4020aed2L; // _IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
    /** On a VM fd: returns a new guest_memfd fd, a {@link kvm_create_guest_memfd}. */
    public static final long KVM_CREATE_GUEST_MEMFD = 0xc040aed4L; // _IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)

    // ioctls on a vCPU fd.
    /**
     * On a vCPU fd: runs the guest until an exit, whose reason and data are in the vCPU's {@link kvm_run};
     * fails with EINTR when a signal interrupts it.
     */
    public static final long KVM_RUN = 0xae80L; // _IO(KVMIO, 0x80)
    /** On a vCPU fd: reads the general purpose registers into a {@link kvm_regs}. */
    public static final long KVM_GET_REGS = 0x8090ae81L; // _IOR(KVMIO, 0x81, struct kvm_regs)
    /** On a vCPU fd: writes the general purpose registers from a {@link kvm_regs}. */
    public static final long KVM_SET_REGS = 0x4090ae82L; // _IOW(KVMIO, 0x82, struct kvm_regs)
    /** On a vCPU fd: reads the segment, control and descriptor table registers into a {@link kvm_sregs}. */
    public static final long KVM_GET_SREGS = 0x8138ae83L; // _IOR(KVMIO, 0x83, struct kvm_sregs)
    /** On a vCPU fd: writes the segment, control and descriptor table registers from a {@link kvm_sregs}. */
    public static final long KVM_SET_SREGS = 0x4138ae84L; // _IOW(KVMIO, 0x84, struct kvm_sregs)
    /**
     * On a vCPU fd (or /dev/kvm, for feature MSRs): reads the MSRs a {@link kvm_msrs} lists; returns how many
     * it read.
     */
    public static final long KVM_GET_MSRS = 0xc008ae88L; // _IOWR(KVMIO, 0x88, struct kvm_msrs)
    /**
     * On a vCPU fd: writes the MSRs a {@link kvm_msrs} lists; returns how many it wrote, fewer when one was
     * refused.
     */
    public static final long KVM_SET_MSRS = 0x4008ae89L; // _IOW(KVMIO, 0x89, struct kvm_msrs)
    /** On a vCPU fd: reads the x87 and SSE state into a {@link kvm_fpu}. */
    public static final long KVM_GET_FPU = 0x81a0ae8cL; // _IOR(KVMIO, 0x8c, struct kvm_fpu)
    /** On a vCPU fd: writes the x87 and SSE state from a {@link kvm_fpu}. */
    public static final long KVM_SET_FPU = 0x41a0ae8dL; // _IOW(KVMIO, 0x8d, struct kvm_fpu)
    /** On a vCPU fd: reads the in-kernel local APIC's registers into a {@link kvm_lapic_state}. */
    public static final long KVM_GET_LAPIC = 0x8400ae8eL; // _IOR(KVMIO, 0x8e, struct kvm_lapic_state)
    /** On a vCPU fd: writes the in-kernel local APIC's registers from a {@link kvm_lapic_state}. */
    public static final long KVM_SET_LAPIC = 0x4400ae8fL; // _IOW(KVMIO, 0x8f, struct kvm_lapic_state)
    /** On a vCPU fd: sets what the guest's CPUID returns, a {@link kvm_cpuid2}. */
    public static final long KVM_SET_CPUID2 = 0x4008ae90L; // _IOW(KVMIO, 0x90, struct kvm_cpuid2)
    /**
     * On a vCPU fd: reads back the CPUID entries set with {@code KVM_SET_CPUID2} into a {@link kvm_cpuid2}.
     */
    public static final long KVM_GET_CPUID2 = 0xc008ae91L; // _IOWR(KVMIO, 0x91, struct kvm_cpuid2)
    /** On a vCPU fd: reads the vCPU's multiprocessing state into a {@link kvm_mp_state}. */
    public static final long KVM_GET_MP_STATE = 0x8004ae98L; // _IOR(KVMIO, 0x98, struct kvm_mp_state)
    /** On a vCPU fd: sets the vCPU's multiprocessing state from a {@link kvm_mp_state}. */
    public static final long KVM_SET_MP_STATE = 0x4004ae99L; // _IOW(KVMIO, 0x99, struct kvm_mp_state)
    /** On a vCPU fd: queues an NMI; meant for VMMs without an in-kernel irqchip. */
    public static final long KVM_NMI = 0xae9aL; // _IO(KVMIO, 0x9a)
    /** On a vCPU fd: reads the pending and injected exception, interrupt and NMI into a {@link kvm_vcpu_events}. */
    public static final long KVM_GET_VCPU_EVENTS = 0x8040ae9fL; // _IOR(KVMIO, 0x9f, struct kvm_vcpu_events)
    /** On a vCPU fd: writes the events of a {@link kvm_vcpu_events}, the optional ones as its {@code flags} say. */
    public static final long KVM_SET_VCPU_EVENTS = 0x4040aea0L; // _IOW(KVMIO, 0xa0, struct kvm_vcpu_events)
    /** On a vCPU fd: reads DR0 to DR3, DR6 and DR7 into a {@link kvm_debugregs}. */
    public static final long KVM_GET_DEBUGREGS = 0x8080aea1L; // _IOR(KVMIO, 0xa1, struct kvm_debugregs)
    /** On a vCPU fd: writes DR0 to DR3, DR6 and DR7 from a {@link kvm_debugregs}. */
    public static final long KVM_SET_DEBUGREGS = 0x4080aea2L; // _IOW(KVMIO, 0xa2, struct kvm_debugregs)
    // Also on a VM fd, with KVM_CAP_VM_TSC_CONTROL, to set the default of vCPUs created later.
    /**
     * On a vCPU fd, with the frequency in kHz as argument: sets the guest's TSC frequency (0: the host's);
     * without TSC scaling only the host's frequency, or a higher one caught up in software, is accepted.
     */
    public static final long KVM_SET_TSC_KHZ = 0xaea2L; // _IO(KVMIO, 0xa2)
    /** On a vCPU fd: returns the guest's TSC frequency in kHz. */
    public static final long KVM_GET_TSC_KHZ = 0xaea3L; // _IO(KVMIO, 0xa3)
    // Also on a VM fd, with KVM_CAP_ENABLE_CAP_VM.
    /**
     * On a vCPU fd, or a VM fd with {@code KVM_CAP_ENABLE_CAP_VM}: enables a capability, a
     * {@link kvm_enable_cap}.
     */
    public static final long KVM_ENABLE_CAP = 0x4068aea3L; // _IOW(KVMIO, 0xa3, struct kvm_enable_cap)
    /** On a vCPU fd: reads the first 4 KiB of the XSAVE area into a {@link kvm_xsave}. */
    public static final long KVM_GET_XSAVE = 0x9000aea4L; // _IOR(KVMIO, 0xa4, struct kvm_xsave)
    /**
     * On a vCPU fd: writes the XSAVE area from a {@link kvm_xsave} of the size {@code KVM_CAP_XSAVE2} reports
     * (4 KiB without it).
     */
    public static final long KVM_SET_XSAVE = 0x5000aea5L; // _IOW(KVMIO, 0xa5, struct kvm_xsave)
    /** On a vCPU fd: reads the extended control registers (XCR0) into a {@link kvm_xcrs}. */
    public static final long KVM_GET_XCRS = 0x8188aea6L; // _IOR(KVMIO, 0xa6, struct kvm_xcrs)
    /** On a vCPU fd: writes the extended control registers from a {@link kvm_xcrs}. */
    public static final long KVM_SET_XCRS = 0x4188aea7L; // _IOW(KVMIO, 0xa7, struct kvm_xcrs)
    /**
     * On a vCPU fd: tells the guest, through its kvmclock page, that the VMM paused it, so that its soft
     * lockup watchdog does not fire; EINVAL when the guest has not enabled kvmclock.
     */
    public static final long KVM_KVMCLOCK_CTRL = 0xaeadL; // _IO(KVMIO, 0xad)
    // The number encodes 4 KiB, but the kernel writes as many bytes as KVM_CAP_XSAVE2 reports.
    /**
     * On a vCPU fd: reads the whole XSAVE area into a {@link kvm_xsave} of the size {@code KVM_CAP_XSAVE2}
     * reports.
     */
    public static final long KVM_GET_XSAVE2 = 0x9000aecfL; // _IOR(KVMIO, 0xcf, struct kvm_xsave)
    /**
     * On a vCPU fd: maps a guest-physical range into KVM's stage-2 page tables ahead of the guest, a
     * {@link kvm_pre_fault_memory}, whose {@code gpa} and {@code size} advance; fails with EINTR or EAGAIN
     * when interrupted part way.
     */
    public static final long KVM_PRE_FAULT_MEMORY = 0xc040aed5L; // _IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
}
