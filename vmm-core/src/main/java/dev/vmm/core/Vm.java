package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmIoctls;
import dev.vmm.ffm.kvm.kvm_userspace_memory_region;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A virtual machine: its memory slots and vCPUs. Close the vCPUs before the VM, and the guest
 * memory after it.
 */
public final class Vm implements AutoCloseable {
    private final Kvm kvm;
    private final FileDescriptor fd;

    Vm(Kvm kvm, FileDescriptor fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    /**
     * {@code KVM_CHECK_EXTENSION} on this VM's fd. Answers can differ per VM type, so capabilities
     * such as {@link Capability#PRE_FAULT_MEMORY} are probed here, not on {@link Kvm}.
     */
    public int checkExtension(Capability capability) {
        return checkExtension(capability.number());
    }

    /** {@code KVM_CHECK_EXTENSION} on this VM's fd with a raw {@code KVM_CAP_*} number. */
    public int checkExtension(int capability) {
        return Ioctls.call(fd, KvmIoctls.KVM_CHECK_EXTENSION, "KVM_CHECK_EXTENSION", capability);
    }

    /** Maps every region of {@code memory} into the guest, in slots 0, 1, ... */
    public void map(GuestMemory memory) {
        int slot = 0;
        for (MemoryRegion region : memory.regions()) {
            setMemoryRegion(slot++, region);
        }
    }

    /** {@code KVM_SET_USER_MEMORY_REGION}: puts {@code region} into {@code slot}, replacing what was there. */
    public void setMemoryRegion(int slot, MemoryRegion region) {
        setUserMemoryRegion(slot, region.start(), region.size(), region.host().address());
    }

    /** Deletes the memory slot {@code slot} (a region of size 0, as the kernel API has it). */
    public void deleteMemoryRegion(int slot) {
        setUserMemoryRegion(slot, GuestAddress.of(0), 0, 0);
    }

    private void setUserMemoryRegion(int slot, GuestAddress start, long size, long hostAddress) {
        if (slot < 0 || slot > 0xffff) {
            throw new IllegalArgumentException("Memory slot " + slot + " is out of range: use 0 to 65535.");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = kvm_userspace_memory_region.allocate(arena);
            kvm_userspace_memory_region.slot(region, slot);
            kvm_userspace_memory_region.guest_phys_addr(region, start.value());
            kvm_userspace_memory_region.memory_size(region, size);
            kvm_userspace_memory_region.userspace_addr(region, hostAddress);
            Ioctls.call(fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, "KVM_SET_USER_MEMORY_REGION", region,
                    () -> "slot=" + slot + " gpa=" + start + " size=0x" + Long.toHexString(size));
        }
    }

    /** {@code KVM_CREATE_VCPU} with the given vCPU id (the APIC ID on x86). */
    public Vcpu createVcpu(int id) {
        int raw = Ioctls.call(fd, KvmIoctls.KVM_CREATE_VCPU, "KVM_CREATE_VCPU", id);
        return Vcpu.map(new FileDescriptor("vCPU " + id, raw), id, kvm.vcpuMmapSize());
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    @Override
    public void close() {
        fd.close();
    }
}
