// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.prefault.PreFaultPolicy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How {@link VmSnapshot#restore} provides the restored guest's memory, prepares it and sets up the
 * new VM.
 *
 * @param memory how the guest memory is provided
 * @param tssAddress where {@code KVM_SET_TSS_ADDR} puts the three pages Intel VMX needs, as the
 *     saved VM had it; empty to leave it unset (AMD, PVM)
 * @param preFault the pre-fault policy applied to the restored memory before the guest resumes
 *     (see {@link #preFault(PreFaultPolicy)}); {@link PreFaultPolicy#NONE} for none
 * @param preFaultOnly the pages the pre-fault is restricted to (see
 *     {@link #preFault(PreFaultPolicy, WorkingSet)}); empty for all of the memory
 * @param taps for {@code MicroVm.restore}: the host tap each network interface is to use instead
 *     of the one the snapshot names, by the interface's index (see {@link #tap(int, String)})
 * @param vsockSocket for {@code MicroVm.restore}: where the vsock device is to listen instead of
 *     the socket the snapshot names; empty to keep that one
 */
public record RestoreOptions(Memory memory, Optional<GuestAddress> tssAddress, PreFaultPolicy preFault, Optional<WorkingSet> preFaultOnly,
                             Map<Integer, String> taps, Optional<Path> vsockSocket) {
    /** How the restored guest's memory is provided. */
    public enum Memory {
        /**
         * Mapped private from the snapshot's memory file (copy-on-write, as Firecracker does): the
         * restore reads nothing, pages come from the page cache on first touch, and the file is
         * never written.
         */
        MAP_PRIVATE,
        /** Copied into fresh anonymous memory: only the file's non-zero pages are touched. */
        COPY
    }

    /**
     * Checks the options.
     *
     * @param memory how the guest memory is provided
     * @param tssAddress the TSS address, or empty
     * @param preFault the pre-fault policy, NONE for none
     * @param preFaultOnly the pages to pre-fault, or empty for all
     * @param taps the taps to use instead of the snapshot's, by interface index (copied)
     * @param vsockSocket the vsock socket to use instead of the snapshot's, or empty
     */
    public RestoreOptions {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(tssAddress, "tssAddress");
        Objects.requireNonNull(preFault, "preFault");
        Objects.requireNonNull(preFaultOnly, "preFaultOnly");
        taps = Map.copyOf(taps);
        Objects.requireNonNull(vsockSocket, "vsockSocket");
    }

    /** {@return memory mapped private from the file, no TSS address, no pre-fault, the devices' host ends as the snapshot names them} */
    public static RestoreOptions defaults() {
        return new RestoreOptions(Memory.MAP_PRIVATE, Optional.empty(), PreFaultPolicy.NONE, Optional.empty(), Map.of(), Optional.empty());
    }

    /**
     * {@return these options with another memory mode}
     *
     * @param mode how the guest memory is provided
     */
    public RestoreOptions memory(Memory mode) {
        return new RestoreOptions(mode, tssAddress, preFault, preFaultOnly, taps, vsockSocket);
    }

    /**
     * {@return these options with {@code KVM_SET_TSS_ADDR} at {@code address}}
     *
     * @param address the first of the three TSS pages, as the saved VM had it
     */
    public RestoreOptions tssAddress(GuestAddress address) {
        return new RestoreOptions(memory, Optional.of(address), preFault, preFaultOnly, taps, vsockSocket);
    }

    /**
     * {@return these options with a pre-fault of the restored memory, with {@code policy}, after
     * the vCPUs' state is restored and before the VM's clock is set} Where the host already holds
     * the memory (a snapshot's file in the page cache), STAGE2 builds KVM's stage-2 tables for it
     * so that the guest's first touches do not fault (over {@link Memory#MAP_PRIVATE} memory it
     * maps the page-cache pages read-only until the guest writes one); POPULATE and FULL fault the
     * pages into the process first (over MAP_PRIVATE memory, as private copies). The result is
     * {@link RestoredVm#preFault()}. A policy this KVM cannot carry out fails the restore in one
     * sentence, as {@link dev.vmm.core.prefault.PreFaulter} says; AUTO falls back instead.
     *
     * @param policy the policy, NONE for none
     */
    public RestoreOptions preFault(PreFaultPolicy policy) {
        return new RestoreOptions(memory, tssAddress, policy, Optional.empty(), taps, vsockSocket);
    }

    /**
     * {@return these options with a pre-fault, with {@code policy}, of the pages in {@code
     * workingSet} only} The working set of an earlier restore ({@link RestoredVm#workingSet()})
     * names the pages the guest touches first; pre-faulting just those costs a fraction of the
     * whole memory's pre-fault and saves the guest the same faults. The policy's populate part
     * (POPULATE, FULL, AUTO) covers only the pages the guest wrote, its stage-2 part all it
     * touched ({@link dev.vmm.core.prefault.PreFaulter#populateOnly}): over MAP_PRIVATE memory a
     * page the guest only reads is mapped from the page cache, never copied. Each range must lie
     * within the snapshot's memory, else the restore fails in one sentence.
     *
     * @param policy the policy, NONE for none
     * @param workingSet the pages to pre-fault
     */
    public RestoreOptions preFault(PreFaultPolicy policy, WorkingSet workingSet) {
        return new RestoreOptions(memory, tssAddress, policy, Optional.of(workingSet), taps, vsockSocket);
    }

    /**
     * {@return these options with network interface {@code index} of a {@code MicroVm} snapshot on
     * host tap {@code name} instead of the one the snapshot names} A clone that runs beside its
     * original, or beside another clone, needs a tap of its own: a tap serves one VM at a time.
     * The guest keeps its MAC address and its own network settings.
     *
     * @param index the interface, in the order of the snapshot's {@code networkInterfaces()}
     * @param name the host's tap, as {@code MicroVmConfig.NetworkInterface} takes it
     * @throws IllegalArgumentException when {@code index} is negative
     */
    public RestoreOptions tap(int index, String name) {
        if (index < 0) {
            throw new IllegalArgumentException("A network interface's index is 0 or more, not " + index + ".");
        }
        Map<Integer, String> withTap = new TreeMap<>(taps);
        withTap.put(index, Objects.requireNonNull(name, "name"));
        return new RestoreOptions(memory, tssAddress, preFault, preFaultOnly, withTap, vsockSocket);
    }

    /**
     * {@return these options with a {@code MicroVm} snapshot's vsock device listening at {@code
     * socket} instead of the path the snapshot names} A clone beside its original needs a path of
     * its own: the original still listens at its path.
     *
     * @param socket a path that does not exist yet, in a folder that does
     */
    public RestoreOptions vsockSocket(Path socket) {
        return new RestoreOptions(memory, tssAddress, preFault, preFaultOnly, taps, Optional.of(socket));
    }
}
