// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import dev.vmm.ffm.Ioctl;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * KVM ioctl numbers, encoded as include/uapi/linux/kvm.h defines them: same direction, number and
 * argument type. The argument sizes come from the struct classes' layouts, so a wrong layout would
 * show up here too; UapiLayoutTest compares every constant with the kernel's headers.
 */
public final class KvmIoctls {
    private KvmIoctls() {}

    /** The ioctl type byte of every KVM ioctl. */
    public static final int KVMIO = 0xAE;

    // ioctls on /dev/kvm.
    /** On /dev/kvm: returns the API version, {@link KvmConstants#KVM_API_VERSION}. */
    public static final long KVM_GET_API_VERSION = Ioctl.io(KVMIO, 0x00);
    /** On /dev/kvm, with the VM type as argument: returns a new VM fd. */
    public static final long KVM_CREATE_VM = Ioctl.io(KVMIO, 0x01);
    /**
     * On /dev/kvm: fills a {@link kvm_msr_list} with the MSRs {@code KVM_GET_MSRS} and {@code KVM_SET_MSRS}
     * support.
     */
    public static final long KVM_GET_MSR_INDEX_LIST = Ioctl.iowr(KVMIO, 0x02, kvm_msr_list.layout());
    /**
     * On /dev/kvm or a VM fd, with a {@code KVM_CAP_*} as argument: returns 0 when absent, else 1 or the
     * capability's value.
     */
    public static final long KVM_CHECK_EXTENSION = Ioctl.io(KVMIO, 0x03);
    /**
     * On /dev/kvm: returns the size of the run area to mmap from a vCPU fd ({@link kvm_run} and what follows
     * it).
     */
    public static final long KVM_GET_VCPU_MMAP_SIZE = Ioctl.io(KVMIO, 0x04);
    /**
     * On /dev/kvm: fills a {@link kvm_cpuid2} with the CPUID leaves KVM can offer a guest (E2BIG when it has
     * too little room).
     */
    public static final long KVM_GET_SUPPORTED_CPUID = Ioctl.iowr(KVMIO, 0x05, kvm_cpuid2.layout());
    /** On /dev/kvm: fills a {@link kvm_cpuid2} with the CPUID features KVM emulates in software. */
    public static final long KVM_GET_EMULATED_CPUID = Ioctl.iowr(KVMIO, 0x09, kvm_cpuid2.layout());
    /**
     * On /dev/kvm: fills a {@link kvm_msr_list} with the feature MSRs readable through {@code KVM_GET_MSRS}
     * on /dev/kvm.
     */
    public static final long KVM_GET_MSR_FEATURE_INDEX_LIST = Ioctl.iowr(KVMIO, 0x0a, kvm_msr_list.layout());

    // ioctls on a VM fd.
    /** On a VM fd, with the vCPU id as argument: returns a new vCPU fd. */
    public static final long KVM_CREATE_VCPU = Ioctl.io(KVMIO, 0x41);
    /** On a VM fd: writes a slot's dirty page bitmap where {@link kvm_dirty_log} points, and resets it. */
    public static final long KVM_GET_DIRTY_LOG = Ioctl.iow(KVMIO, 0x42, kvm_dirty_log.layout());
    /** On a VM fd, with a page count as argument: caps the pages KVM's shadow MMU may use. */
    public static final long KVM_SET_NR_MMU_PAGES = Ioctl.io(KVMIO, 0x44);
    /**
     * On a VM fd: creates, moves, resizes or deletes a memory slot, a {@link kvm_userspace_memory_region}.
     */
    public static final long KVM_SET_USER_MEMORY_REGION = Ioctl.iow(KVMIO, 0x46, kvm_userspace_memory_region.layout());
    /**
     * On a VM fd, with a guest-physical address as argument: where Intel VMX keeps three pages for real
     * mode's task state segment.
     */
    public static final long KVM_SET_TSS_ADDR = Ioctl.io(KVMIO, 0x47);
    /**
     * On a VM fd, with a pointer to a 64-bit guest-physical address: where Intel VMX keeps the page of its
     * real-mode identity page table.
     */
    public static final long KVM_SET_IDENTITY_MAP_ADDR = Ioctl.iow(KVMIO, 0x48, JAVA_LONG);
    /**
     * On a VM fd: {@code KVM_SET_USER_MEMORY_REGION} with a guest_memfd, a
     * {@link kvm_userspace_memory_region2}.
     */
    public static final long KVM_SET_USER_MEMORY_REGION2 = Ioctl.iow(KVMIO, 0x49, kvm_userspace_memory_region2.layout());
    /** On a VM fd: creates the in-kernel PIC, IOAPIC and local APICs (before any vCPU). */
    public static final long KVM_CREATE_IRQCHIP = Ioctl.io(KVMIO, 0x60);
    /** On a VM fd: sets an interrupt line of the in-kernel irqchip to a level, a {@link kvm_irq_level}. */
    public static final long KVM_IRQ_LINE = Ioctl.iow(KVMIO, 0x61, kvm_irq_level.layout());
    /**
     * On a VM fd: {@code KVM_IRQ_LINE} that writes the delivery status back into the {@link kvm_irq_level}.
     */
    public static final long KVM_IRQ_LINE_STATUS = Ioctl.iowr(KVMIO, 0x67, kvm_irq_level.layout());
    /**
     * On a VM fd: reads the state of the in-kernel PIC or IOAPIC that {@link kvm_irqchip}'s {@code chip_id}
     * names (after {@code KVM_CREATE_IRQCHIP}).
     */
    public static final long KVM_GET_IRQCHIP = Ioctl.iowr(KVMIO, 0x62, kvm_irqchip.layout());
    // The kernel declares it _IOR although the kernel reads the struct: the number is what matters.
    /** On a VM fd: writes the state of the in-kernel PIC or IOAPIC from a {@link kvm_irqchip}. */
    public static final long KVM_SET_IRQCHIP = Ioctl.ior(KVMIO, 0x63, kvm_irqchip.layout());
    /** On a VM fd: binds an eventfd to an interrupt line, or removes the binding, a {@link kvm_irqfd}. */
    public static final long KVM_IRQFD = Ioctl.iow(KVMIO, 0x76, kvm_irqfd.layout());
    /**
     * On a VM fd: creates the in-kernel i8254 timer, a {@link kvm_pit_config} (after
     * {@code KVM_CREATE_IRQCHIP}).
     */
    public static final long KVM_CREATE_PIT2 = Ioctl.iow(KVMIO, 0x77, kvm_pit_config.layout());
    /**
     * On a VM fd: sets the kvmclock from a {@link kvm_clock_data}, advanced by the time since its
     * {@code realtime} with {@code KVM_CLOCK_REALTIME}.
     */
    public static final long KVM_SET_CLOCK = Ioctl.iow(KVMIO, 0x7b, kvm_clock_data.layout());
    /** On a VM fd: reads the kvmclock into a {@link kvm_clock_data}. */
    public static final long KVM_GET_CLOCK = Ioctl.ior(KVMIO, 0x7c, kvm_clock_data.layout());
    /** On a VM fd: reads the in-kernel PIT's state into a {@link kvm_pit_state2} (after {@code KVM_CREATE_PIT2}). */
    public static final long KVM_GET_PIT2 = Ioctl.ior(KVMIO, 0x9f, kvm_pit_state2.layout());
    /** On a VM fd: writes the in-kernel PIT's state from a {@link kvm_pit_state2}. */
    public static final long KVM_SET_PIT2 = Ioctl.iow(KVMIO, 0xa0, kvm_pit_state2.layout());
    /**
     * On a VM fd: adds or removes an eventfd that a guest write to an MMIO address or port signals, a
     * {@link kvm_ioeventfd}.
     */
    public static final long KVM_IOEVENTFD = Ioctl.iow(KVMIO, 0x79, kvm_ioeventfd.layout());
    /**
     * On a VM fd: sets attributes such as private on a guest-physical range, a {@link kvm_memory_attributes}.
     */
    public static final long KVM_SET_MEMORY_ATTRIBUTES = Ioctl.iow(KVMIO, 0xd2, kvm_memory_attributes.layout());
    /** On a VM fd: returns a new guest_memfd fd, a {@link kvm_create_guest_memfd}. */
    public static final long KVM_CREATE_GUEST_MEMFD = Ioctl.iowr(KVMIO, 0xd4, kvm_create_guest_memfd.layout());

    // ioctls on a vCPU fd.
    /**
     * On a vCPU fd: runs the guest until an exit, whose reason and data are in the vCPU's {@link kvm_run};
     * fails with EINTR when a signal interrupts it.
     */
    public static final long KVM_RUN = Ioctl.io(KVMIO, 0x80);
    /** On a vCPU fd: reads the general purpose registers into a {@link kvm_regs}. */
    public static final long KVM_GET_REGS = Ioctl.ior(KVMIO, 0x81, kvm_regs.layout());
    /** On a vCPU fd: writes the general purpose registers from a {@link kvm_regs}. */
    public static final long KVM_SET_REGS = Ioctl.iow(KVMIO, 0x82, kvm_regs.layout());
    /** On a vCPU fd: reads the segment, control and descriptor table registers into a {@link kvm_sregs}. */
    public static final long KVM_GET_SREGS = Ioctl.ior(KVMIO, 0x83, kvm_sregs.layout());
    /** On a vCPU fd: writes the segment, control and descriptor table registers from a {@link kvm_sregs}. */
    public static final long KVM_SET_SREGS = Ioctl.iow(KVMIO, 0x84, kvm_sregs.layout());
    /**
     * On a vCPU fd (or /dev/kvm, for feature MSRs): reads the MSRs a {@link kvm_msrs} lists; returns how many
     * it read.
     */
    public static final long KVM_GET_MSRS = Ioctl.iowr(KVMIO, 0x88, kvm_msrs.layout());
    /**
     * On a vCPU fd: writes the MSRs a {@link kvm_msrs} lists; returns how many it wrote, fewer when one was
     * refused.
     */
    public static final long KVM_SET_MSRS = Ioctl.iow(KVMIO, 0x89, kvm_msrs.layout());
    /** On a vCPU fd: reads the x87 and SSE state into a {@link kvm_fpu}. */
    public static final long KVM_GET_FPU = Ioctl.ior(KVMIO, 0x8c, kvm_fpu.layout());
    /** On a vCPU fd: writes the x87 and SSE state from a {@link kvm_fpu}. */
    public static final long KVM_SET_FPU = Ioctl.iow(KVMIO, 0x8d, kvm_fpu.layout());
    /** On a vCPU fd: reads the in-kernel local APIC's registers into a {@link kvm_lapic_state}. */
    public static final long KVM_GET_LAPIC = Ioctl.ior(KVMIO, 0x8e, kvm_lapic_state.layout());
    /** On a vCPU fd: writes the in-kernel local APIC's registers from a {@link kvm_lapic_state}. */
    public static final long KVM_SET_LAPIC = Ioctl.iow(KVMIO, 0x8f, kvm_lapic_state.layout());
    /** On a vCPU fd: sets what the guest's CPUID returns, a {@link kvm_cpuid2}. */
    public static final long KVM_SET_CPUID2 = Ioctl.iow(KVMIO, 0x90, kvm_cpuid2.layout());
    /**
     * On a vCPU fd: reads back the CPUID entries set with {@code KVM_SET_CPUID2} into a {@link kvm_cpuid2}.
     */
    public static final long KVM_GET_CPUID2 = Ioctl.iowr(KVMIO, 0x91, kvm_cpuid2.layout());
    /** On a vCPU fd: reads the vCPU's multiprocessing state into a {@link kvm_mp_state}. */
    public static final long KVM_GET_MP_STATE = Ioctl.ior(KVMIO, 0x98, kvm_mp_state.layout());
    /** On a vCPU fd: sets the vCPU's multiprocessing state from a {@link kvm_mp_state}. */
    public static final long KVM_SET_MP_STATE = Ioctl.iow(KVMIO, 0x99, kvm_mp_state.layout());
    /** On a vCPU fd: queues an NMI; meant for VMMs without an in-kernel irqchip. */
    public static final long KVM_NMI = Ioctl.io(KVMIO, 0x9a);
    /** On a vCPU fd: reads the pending and injected exception, interrupt and NMI into a {@link kvm_vcpu_events}. */
    public static final long KVM_GET_VCPU_EVENTS = Ioctl.ior(KVMIO, 0x9f, kvm_vcpu_events.layout());
    /** On a vCPU fd: writes the events of a {@link kvm_vcpu_events}, the optional ones as its {@code flags} say. */
    public static final long KVM_SET_VCPU_EVENTS = Ioctl.iow(KVMIO, 0xa0, kvm_vcpu_events.layout());
    /** On a vCPU fd: reads DR0 to DR3, DR6 and DR7 into a {@link kvm_debugregs}. */
    public static final long KVM_GET_DEBUGREGS = Ioctl.ior(KVMIO, 0xa1, kvm_debugregs.layout());
    /** On a vCPU fd: writes DR0 to DR3, DR6 and DR7 from a {@link kvm_debugregs}. */
    public static final long KVM_SET_DEBUGREGS = Ioctl.iow(KVMIO, 0xa2, kvm_debugregs.layout());
    // Also on a VM fd, with KVM_CAP_VM_TSC_CONTROL, to set the default of vCPUs created later.
    /**
     * On a vCPU fd, with the frequency in kHz as argument: sets the guest's TSC frequency (0: the host's);
     * without TSC scaling only the host's frequency, or a higher one caught up in software, is accepted.
     */
    public static final long KVM_SET_TSC_KHZ = Ioctl.io(KVMIO, 0xa2);
    /** On a vCPU fd: returns the guest's TSC frequency in kHz. */
    public static final long KVM_GET_TSC_KHZ = Ioctl.io(KVMIO, 0xa3);
    // Also on a VM fd, with KVM_CAP_ENABLE_CAP_VM.
    /**
     * On a vCPU fd, or a VM fd with {@code KVM_CAP_ENABLE_CAP_VM}: enables a capability, a
     * {@link kvm_enable_cap}.
     */
    public static final long KVM_ENABLE_CAP = Ioctl.iow(KVMIO, 0xa3, kvm_enable_cap.layout());
    /** On a vCPU fd: reads the first 4 KiB of the XSAVE area into a {@link kvm_xsave}. */
    public static final long KVM_GET_XSAVE = Ioctl.ior(KVMIO, 0xa4, kvm_xsave.layout());
    /**
     * On a vCPU fd: writes the XSAVE area from a {@link kvm_xsave} of the size {@code KVM_CAP_XSAVE2} reports
     * (4 KiB without it).
     */
    public static final long KVM_SET_XSAVE = Ioctl.iow(KVMIO, 0xa5, kvm_xsave.layout());
    /** On a vCPU fd: reads the extended control registers (XCR0) into a {@link kvm_xcrs}. */
    public static final long KVM_GET_XCRS = Ioctl.ior(KVMIO, 0xa6, kvm_xcrs.layout());
    /** On a vCPU fd: writes the extended control registers from a {@link kvm_xcrs}. */
    public static final long KVM_SET_XCRS = Ioctl.iow(KVMIO, 0xa7, kvm_xcrs.layout());
    /**
     * On a vCPU fd: tells the guest, through its kvmclock page, that the VMM paused it, so that its soft
     * lockup watchdog does not fire; EINVAL when the guest has not enabled kvmclock.
     */
    public static final long KVM_KVMCLOCK_CTRL = Ioctl.io(KVMIO, 0xad);
    // The number encodes 4 KiB, but the kernel writes as many bytes as KVM_CAP_XSAVE2 reports.
    /**
     * On a vCPU fd: reads the whole XSAVE area into a {@link kvm_xsave} of the size {@code KVM_CAP_XSAVE2}
     * reports.
     */
    public static final long KVM_GET_XSAVE2 = Ioctl.ior(KVMIO, 0xcf, kvm_xsave.layout());
    /**
     * On a vCPU fd: maps a guest-physical range into KVM's stage-2 page tables ahead of the guest, a
     * {@link kvm_pre_fault_memory}, whose {@code gpa} and {@code size} advance; fails with EINTR or EAGAIN
     * when interrupted part way.
     */
    public static final long KVM_PRE_FAULT_MEMORY = Ioctl.iowr(KVMIO, 0xd5, kvm_pre_fault_memory.layout());
}
