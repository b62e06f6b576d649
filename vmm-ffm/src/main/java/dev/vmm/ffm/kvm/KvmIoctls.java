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

    public static final int KVMIO = 0xAE;

    // ioctls on /dev/kvm.
    public static final long KVM_GET_API_VERSION = Ioctl.io(KVMIO, 0x00);
    public static final long KVM_CREATE_VM = Ioctl.io(KVMIO, 0x01);
    public static final long KVM_GET_MSR_INDEX_LIST = Ioctl.iowr(KVMIO, 0x02, kvm_msr_list.layout());
    public static final long KVM_CHECK_EXTENSION = Ioctl.io(KVMIO, 0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = Ioctl.io(KVMIO, 0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = Ioctl.iowr(KVMIO, 0x05, kvm_cpuid2.layout());
    public static final long KVM_GET_EMULATED_CPUID = Ioctl.iowr(KVMIO, 0x09, kvm_cpuid2.layout());
    public static final long KVM_GET_MSR_FEATURE_INDEX_LIST = Ioctl.iowr(KVMIO, 0x0a, kvm_msr_list.layout());

    // ioctls on a VM fd.
    public static final long KVM_CREATE_VCPU = Ioctl.io(KVMIO, 0x41);
    public static final long KVM_GET_DIRTY_LOG = Ioctl.iow(KVMIO, 0x42, kvm_dirty_log.layout());
    public static final long KVM_SET_NR_MMU_PAGES = Ioctl.io(KVMIO, 0x44);
    public static final long KVM_SET_USER_MEMORY_REGION = Ioctl.iow(KVMIO, 0x46, kvm_userspace_memory_region.layout());
    public static final long KVM_SET_TSS_ADDR = Ioctl.io(KVMIO, 0x47);
    public static final long KVM_SET_IDENTITY_MAP_ADDR = Ioctl.iow(KVMIO, 0x48, JAVA_LONG);
    public static final long KVM_SET_USER_MEMORY_REGION2 = Ioctl.iow(KVMIO, 0x49, kvm_userspace_memory_region2.layout());
    public static final long KVM_CREATE_IRQCHIP = Ioctl.io(KVMIO, 0x60);
    public static final long KVM_IRQ_LINE = Ioctl.iow(KVMIO, 0x61, kvm_irq_level.layout());
    public static final long KVM_IRQ_LINE_STATUS = Ioctl.iowr(KVMIO, 0x67, kvm_irq_level.layout());
    public static final long KVM_IRQFD = Ioctl.iow(KVMIO, 0x76, kvm_irqfd.layout());
    public static final long KVM_CREATE_PIT2 = Ioctl.iow(KVMIO, 0x77, kvm_pit_config.layout());
    public static final long KVM_IOEVENTFD = Ioctl.iow(KVMIO, 0x79, kvm_ioeventfd.layout());
    public static final long KVM_SET_MEMORY_ATTRIBUTES = Ioctl.iow(KVMIO, 0xd2, kvm_memory_attributes.layout());
    public static final long KVM_CREATE_GUEST_MEMFD = Ioctl.iowr(KVMIO, 0xd4, kvm_create_guest_memfd.layout());

    // ioctls on a vCPU fd.
    public static final long KVM_RUN = Ioctl.io(KVMIO, 0x80);
    public static final long KVM_GET_REGS = Ioctl.ior(KVMIO, 0x81, kvm_regs.layout());
    public static final long KVM_SET_REGS = Ioctl.iow(KVMIO, 0x82, kvm_regs.layout());
    public static final long KVM_GET_SREGS = Ioctl.ior(KVMIO, 0x83, kvm_sregs.layout());
    public static final long KVM_SET_SREGS = Ioctl.iow(KVMIO, 0x84, kvm_sregs.layout());
    public static final long KVM_GET_MSRS = Ioctl.iowr(KVMIO, 0x88, kvm_msrs.layout());
    public static final long KVM_SET_MSRS = Ioctl.iow(KVMIO, 0x89, kvm_msrs.layout());
    public static final long KVM_GET_FPU = Ioctl.ior(KVMIO, 0x8c, kvm_fpu.layout());
    public static final long KVM_SET_FPU = Ioctl.iow(KVMIO, 0x8d, kvm_fpu.layout());
    public static final long KVM_GET_LAPIC = Ioctl.ior(KVMIO, 0x8e, kvm_lapic_state.layout());
    public static final long KVM_SET_LAPIC = Ioctl.iow(KVMIO, 0x8f, kvm_lapic_state.layout());
    public static final long KVM_SET_CPUID2 = Ioctl.iow(KVMIO, 0x90, kvm_cpuid2.layout());
    public static final long KVM_GET_CPUID2 = Ioctl.iowr(KVMIO, 0x91, kvm_cpuid2.layout());
    public static final long KVM_GET_MP_STATE = Ioctl.ior(KVMIO, 0x98, kvm_mp_state.layout());
    public static final long KVM_SET_MP_STATE = Ioctl.iow(KVMIO, 0x99, kvm_mp_state.layout());
    public static final long KVM_NMI = Ioctl.io(KVMIO, 0x9a);
    // Also on a VM fd, with KVM_CAP_ENABLE_CAP_VM.
    public static final long KVM_ENABLE_CAP = Ioctl.iow(KVMIO, 0xa3, kvm_enable_cap.layout());
    public static final long KVM_PRE_FAULT_MEMORY = Ioctl.iowr(KVMIO, 0xd5, kvm_pre_fault_memory.layout());
}
