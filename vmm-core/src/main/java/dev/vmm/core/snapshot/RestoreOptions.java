// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.prefault.PreFaultPolicy;

import java.util.Objects;
import java.util.Optional;

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
 */
public record RestoreOptions(Memory memory, Optional<GuestAddress> tssAddress, PreFaultPolicy preFault, Optional<WorkingSet> preFaultOnly) {
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
     */
    public RestoreOptions {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(tssAddress, "tssAddress");
        Objects.requireNonNull(preFault, "preFault");
        Objects.requireNonNull(preFaultOnly, "preFaultOnly");
    }

    /** {@return memory mapped private from the file, no TSS address, no pre-fault} */
    public static RestoreOptions defaults() {
        return new RestoreOptions(Memory.MAP_PRIVATE, Optional.empty(), PreFaultPolicy.NONE, Optional.empty());
    }

    /**
     * {@return these options with another memory mode}
     *
     * @param mode how the guest memory is provided
     */
    public RestoreOptions memory(Memory mode) {
        return new RestoreOptions(mode, tssAddress, preFault, preFaultOnly);
    }

    /**
     * {@return these options with {@code KVM_SET_TSS_ADDR} at {@code address}}
     *
     * @param address the first of the three TSS pages, as the saved VM had it
     */
    public RestoreOptions tssAddress(GuestAddress address) {
        return new RestoreOptions(memory, Optional.of(address), preFault, preFaultOnly);
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
        return new RestoreOptions(memory, tssAddress, policy, Optional.empty());
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
        return new RestoreOptions(memory, tssAddress, policy, Optional.of(workingSet));
    }
}
