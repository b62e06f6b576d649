// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.GuestMemory;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.prefault.PreFaultResult;
import dev.vmm.core.virtio.VirtioMmio;

import java.util.List;
import java.util.Optional;

/**
 * A VM restored from a snapshot, stopped and ready to run: its vCPUs hold the saved state, its
 * memory the saved contents. Owns all three: {@link #close()} closes the VM (and its vCPUs), then
 * the memory. The devices' state, when it was saved, is given back as values
 * ({@link #devices()}, {@link #virtio()}): the devices belong to whoever builds the machine around
 * the VM.
 */
public final class RestoredVm implements AutoCloseable {
    private final Vm vm;
    private final List<Vcpu> vcpus;
    private final GuestMemory memory;
    private final Optional<LegacyDeviceState> devices;
    private final List<VirtioMmio.State> virtio;
    private final Optional<PreFaultResult> preFault;

    RestoredVm(Vm vm, List<Vcpu> vcpus, GuestMemory memory, Optional<LegacyDeviceState> devices, List<VirtioMmio.State> virtio,
               Optional<PreFaultResult> preFault) {
        this.virtio = List.copyOf(virtio);
        this.vm = vm;
        this.vcpus = List.copyOf(vcpus);
        this.memory = memory;
        this.devices = devices;
        this.preFault = preFault;
    }

    /** {@return what the restore's pre-fault did ({@link RestoreOptions#preFault(dev.vmm.core.prefault.PreFaultPolicy)}), empty without one} */
    public Optional<PreFaultResult> preFault() {
        return preFault;
    }

    /**
     * {@return the pages of the restored memory touched since the restore, by the guest or by the
     * VMM for it, and which of them were written: the guest's working set, for later restores to
     * pre-fault ({@link RestoreOptions#preFault(PreFaultPolicy, WorkingSet)}) and to
     * {@link WorkingSet#write}} Call it once the guest has run as long as its start-up takes (a
     * function's first request, say). Over a private file mapping, only touched pages are in the
     * process's page tables (with the neighbours the kernel maps around a read fault, which are in
     * the page cache anyway), and a written page is a private copy instead of the file's page.
     *
     * @throws IllegalStateException when this restore copied its memory or pre-faulted it: then
     *     every page is mapped, touched or not
     */
    public WorkingSet workingSet() {
        if (memory.backing() != GuestMemory.Backing.FILE_PRIVATE || preFault.isPresent()) {
            throw new IllegalStateException("A working set is recorded only from a restore with MAP_PRIVATE memory and no pre-fault,"
                    + " where only the pages the guest touched are mapped; restore with RestoreOptions.defaults() to record one.");
        }
        GuestMemory.ResidentPages resident = memory.residentPages();
        if (resident.present().isEmpty()) {
            throw new IllegalStateException("The restored guest has touched no memory yet: run it before recording its working set.");
        }
        return WorkingSet.of(resident.present(), resident.privateCopies());
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

    /**
     * {@return the legacy devices' state saved with the VM, checked: restore it into the new
     * machine's devices ({@link LegacyDeviceState#restoreInto}) before its vCPUs run; empty when the
     * snapshot was saved without it}
     */
    public Optional<LegacyDeviceState> devices() {
        return devices;
    }

    /**
     * {@return the virtio transports' state saved with the VM, in the order given to the save:
     * restore each into a transport of the same device ({@link VirtioMmio#restore}) before the
     * vCPUs run; empty when none was saved}
     */
    public List<VirtioMmio.State> virtio() {
        return virtio;
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
