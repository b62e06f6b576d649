// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.GuestMemory;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;

import java.util.List;

/**
 * A VM restored from a snapshot, stopped and ready to run: its vCPUs hold the saved state, its
 * memory the saved contents. Owns all three: {@link #close()} closes the VM (and its vCPUs), then
 * the memory.
 */
public final class RestoredVm implements AutoCloseable {
    private final Vm vm;
    private final List<Vcpu> vcpus;
    private final GuestMemory memory;

    RestoredVm(Vm vm, List<Vcpu> vcpus, GuestMemory memory) {
        this.vm = vm;
        this.vcpus = List.copyOf(vcpus);
        this.memory = memory;
    }

    /** {@return the restored VM} */
    public Vm vm() {
        return vm;
    }

    /** {@return the restored vCPUs, in the snapshot's order} */
    public List<Vcpu> vcpus() {
        return vcpus;
    }

    /** {@return the restored guest memory} */
    public GuestMemory memory() {
        return memory;
    }

    /** Closes the VM (a run in progress is interrupted and waited for), its vCPUs, then the memory. */
    @Override
    public void close() {
        try {
            vm.close();
        } finally {
            memory.close();
        }
    }
}
