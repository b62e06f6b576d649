// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

/** Receives progress of a long pre-fault. Called from the working threads, so keep it quick and thread-safe. */
@FunctionalInterface
public interface PreFaultProgress {
    /** A phase of the work. */
    enum Phase {
        /** Host page tables: MADV_POPULATE_WRITE over the guest memory's mappings. */
        POPULATE,
        /** KVM's stage-2 tables: KVM_PRE_FAULT_MEMORY on the vCPUs. */
        STAGE2
    }

    /**
     * Reports that {@code done} of {@code total} bytes of {@code phase} are complete.
     *
     * @param phase the phase
     * @param done the bytes complete so far
     * @param total the bytes the phase covers
     */
    void update(Phase phase, long done, long total);

    /** Progress that goes nowhere. */
    PreFaultProgress NONE = (phase, done, total) -> { };
}
