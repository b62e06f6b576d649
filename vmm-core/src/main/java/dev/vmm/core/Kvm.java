// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.core.jfr.Jfr;
import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.libc.NativeAccess;
import dev.vmm.ffm.kvm.KvmConstants;
import dev.vmm.ffm.kvm.KvmIoctls;
import dev.vmm.ffm.kvm.kvm_cpuid2;
import dev.vmm.ffm.kvm.kvm_msr_list;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The KVM subsystem: an open {@code /dev/kvm}. Creates VMs and answers system-wide questions.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=kvm}
 * }
 */
public final class Kvm implements AutoCloseable {
    /** Where Linux puts the KVM device node. */
    public static final String DEFAULT_PATH = "/dev/kvm";

    private final FileDescriptor fd;

    private Kvm(FileDescriptor fd) {
        this.fd = fd;
    }

    /**
     * Opens {@code /dev/kvm}.
     *
     * @return the open KVM subsystem, to close when done
     * @throws IllegalStateException when native access is not enabled for the bindings, or when the
     *     device reports an API version other than 12
     * @throws KvmException when /dev/kvm is missing or not accessible, with what to do about it
     */
    public static Kvm open() {
        return open(DEFAULT_PATH);
    }

    /**
     * Opens a KVM device node at {@code path}; see {@link #open()}.
     *
     * @param path the device node, normally {@link #DEFAULT_PATH}
     * @return the open KVM subsystem, to close when done
     * @throws IllegalStateException when native access is not enabled for the bindings, or when the
     *     device reports an API version other than 12
     * @throws KvmException when the node is missing or not accessible, with what to do about it
     */
    public static Kvm open(String path) {
        NativeAccess.require();
        int raw = Libc.open(path, Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        if (raw < 0) {
            int errno = Libc.errno();
            String advice;
            if (errno == Errno.ENOENT.value()) {
                advice = "KVM is not available on this machine: load kvm_intel or kvm_amd, enable virtualization in the firmware,"
                        + " or run on a machine (or in a VM with nested virtualization) that has /dev/kvm";
            } else if (errno == Errno.EACCES.value() || errno == Errno.EPERM.value()) {
                advice = "Add this user to the group that owns " + path + " (usually 'kvm': sudo usermod -aG kvm $USER, then log in again)";
            } else {
                advice = null;
            }
            throw new KvmException("open(" + path + ")", errno, "", advice);
        }
        Kvm kvm = new Kvm(new FileDescriptor(path, raw));
        int version = kvm.apiVersion();
        if (version != KvmConstants.KVM_API_VERSION) {
            kvm.close();
            throw new IllegalStateException(path + " reports KVM API version " + version + ", but only version "
                    + KvmConstants.KVM_API_VERSION + " exists upstream: this is not a Linux KVM device.");
        }
        return kvm;
    }

    /**
     * {@return {@code KVM_GET_API_VERSION}: 12 on every Linux since 2.6.22}
     *
     * @throws KvmException when the ioctl fails
     */
    public int apiVersion() {
        return Ioctls.call(fd, KvmIoctls.KVM_GET_API_VERSION, "KVM_GET_API_VERSION", 0L);
    }

    /**
     * {@code KVM_CHECK_EXTENSION} on /dev/kvm. For capabilities that depend on the VM type, ask
     * {@link Vm#checkExtension} instead.
     *
     * @param capability the capability to ask about
     * @return 0 when absent, otherwise 1 or a capability-specific value
     * @throws KvmException when the ioctl fails
     */
    public int checkExtension(Capability capability) {
        return checkExtension(capability.number());
    }

    /**
     * {@code KVM_CHECK_EXTENSION} with a raw {@code KVM_CAP_*} number, for capabilities
     * {@link Capability} does not name.
     *
     * @param capability a {@code KVM_CAP_*} number
     * @return 0 when absent (or unknown to the kernel), otherwise 1 or a capability-specific value
     * @throws KvmException when the ioctl fails
     */
    public int checkExtension(int capability) {
        return Ioctls.call(fd, KvmIoctls.KVM_CHECK_EXTENSION, "KVM_CHECK_EXTENSION", capability);
    }

    /** {@return {@code KVM_GET_VCPU_MMAP_SIZE}: the size in bytes of each vCPU's shared {@code kvm_run} area} */
    public int vcpuMmapSize() {
        return Ioctls.call(fd, KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, "KVM_GET_VCPU_MMAP_SIZE", 0L);
    }

    /** {@return the recommended maximum number of vCPUs per VM ({@code KVM_CAP_NR_VCPUS})} */
    public int recommendedVcpus() {
        return checkExtension(Capability.NR_VCPUS);
    }

    /**
     * {@return the maximum number of vCPUs per VM: {@code KVM_CAP_MAX_VCPUS}, or where a kernel does
     * not report it, {@code KVM_CAP_NR_VCPUS} (as api.rst says)}
     */
    public int maxVcpus() {
        int max = checkExtension(Capability.MAX_VCPUS);
        return max > 0 ? max : recommendedVcpus();
    }

    /** {@return the number of memory slots per address space ({@code KVM_CAP_NR_MEMSLOTS})} */
    public int maxMemslots() {
        return checkExtension(Capability.NR_MEMSLOTS);
    }

    /**
     * {@return {@code KVM_GET_SUPPORTED_CPUID}: every CPUID leaf KVM can offer a guest}
     *
     * @throws KvmException when the ioctl fails, or still asks for more room at 4096 entries
     */
    public List<CpuidEntry> supportedCpuid() {
        for (int capacity = 128; ; capacity *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cpuid = kvm_cpuid2.allocate(arena, capacity);
                int entries = capacity;
                if (Ioctls.callUnless(Errno.E2BIG, fd, KvmIoctls.KVM_GET_SUPPORTED_CPUID, "KVM_GET_SUPPORTED_CPUID", cpuid, () -> "nent=" + entries)) {
                    return CpuidEntry.readAll(cpuid);
                }
                if (capacity >= 4096) {
                    throw new KvmException("KVM_GET_SUPPORTED_CPUID", Errno.E2BIG.value(), "nent=" + capacity);
                }
            }
        }
    }

    /**
     * {@return {@code KVM_GET_MSR_INDEX_LIST}: the numbers of the MSRs a VMM may save and restore}
     *
     * @throws KvmException when the ioctl fails
     */
    public int[] msrIndexList() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment probe = kvm_msr_list.allocate(arena, 0);
            // With nmsrs 0 the kernel fails with E2BIG and writes the count it needs.
            if (Ioctls.callUnless(Errno.E2BIG, fd, KvmIoctls.KVM_GET_MSR_INDEX_LIST, "KVM_GET_MSR_INDEX_LIST", probe, () -> "nmsrs=0")) {
                return new int[0];
            }
            int needed = kvm_msr_list.nmsrs(probe);
            MemorySegment list = kvm_msr_list.allocate(arena, needed);
            Ioctls.call(fd, KvmIoctls.KVM_GET_MSR_INDEX_LIST, "KVM_GET_MSR_INDEX_LIST", list, () -> "nmsrs=" + needed);
            int[] indices = new int[kvm_msr_list.nmsrs(list)];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = kvm_msr_list.indices(list, i);
            }
            return indices;
        }
    }

    /**
     * Creates a VM of the default type ({@code KVM_X86_DEFAULT_VM}).
     *
     * @return the new VM, to close when done
     * @throws KvmException when {@code KVM_CREATE_VM} fails
     */
    public Vm createVm() {
        return createVm(KvmConstants.KVM_X86_DEFAULT_VM);
    }

    /**
     * Creates a VM of a given type.
     *
     * @param type a {@code KVM_X86_*_VM} type, one that {@link Capability#VM_TYPES} lists
     * @return the new VM, to close when done
     * @throws KvmException when {@code KVM_CREATE_VM} fails, e.g. with EINVAL for an unknown type
     */
    public Vm createVm(int type) {
        long start = System.nanoTime();
        int raw = Ioctls.call(fd, KvmIoctls.KVM_CREATE_VM, "KVM_CREATE_VM", type);
        if (Jfr.recording()) {
            Jfr.vmCreated(type, System.nanoTime() - start);
        }
        return new Vm(this, new FileDescriptor("VM", raw));
    }

    /** {@return whether {@link #close()} has not been called yet} */
    public boolean isOpen() {
        return fd.isOpen();
    }

    @Override
    public void close() {
        fd.close();
    }
}
