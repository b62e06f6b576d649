// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.prefault.PreFaultResult;
import dev.vmm.core.prefault.PreFaulter;

import java.util.ArrayList;
import java.util.List;

/**
 * A fresh VM for one benchmark invocation: the low region plus an untouched region of the
 * requested size and page size, mapped into the VM, with some vCPUs. Built in {@code @Setup},
 * outside the timed region, and closed in {@code @TearDown}.
 */
final class TouchVm implements AutoCloseable {
    private final Kvm kvm;
    private final GuestMemory memory;
    private final Vm vm;
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final GuestMemory.Range region;

    TouchVm(int sizeMiB, PageSize pages, int vcpuCount) {
        region = new GuestMemory.Range(TouchGuest.REGION_START, (long) sizeMiB << 20);
        kvm = Kvm.open();
        try {
            memory = GuestMemory.create(pages.backing(), List.of(TouchGuest.LOW, region));
            vm = kvm.createVm();
            vm.map(memory);
            for (int i = 0; i < vcpuCount; i++) {
                vcpus.add(vm.createVcpu(i));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Pre-faults the touched region by {@code policy}, the vCPUs sharing the stage-2 work. */
    PreFaultResult preFault(PreFaultPolicy policy) {
        return PreFaulter.of(vm, memory).vcpus(vcpus).policy(policy).range(region.start(), region.size()).run();
    }

    /** Loads the touch program on the first vCPU. */
    void loadTouch(TouchGuest.Access access) {
        TouchGuest.load(kvm, vcpus.getFirst(), memory, region, access);
    }

    /** Runs the touch program to its HLT. */
    void touch() {
        TouchGuest.run(vcpus.getFirst());
    }

    @Override
    public void close() {
        for (Vcpu vcpu : vcpus) {
            vcpu.close();
        }
        if (vm != null) {
            vm.close();
        }
        if (memory != null) {
            memory.close();
        }
        kvm.close();
    }
}
