// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

/**
 * Receives progress of a snapshot being written: guest memory, and the copies of a MicroVm's
 * writable drives, each of which can take seconds to minutes while the guest is paused. Called on
 * the thread that takes the snapshot, after each MiB or so; keep it quick.
 */
@FunctionalInterface
public interface SnapshotProgress {
    /** What is being written. */
    enum Part {
        /** Guest memory, into the snapshot's {@code memory} file. */
        MEMORY,
        /** A writable drive's image, copied into the snapshot's {@code drive-N} file. */
        DRIVE
    }

    /**
     * Reports that {@code done} of {@code total} bytes of {@code part} are written.
     *
     * @param part what is being written
     * @param index for a {@link Part#DRIVE}, the drive's index among the MicroVm's drives; 0 for memory
     * @param done the bytes written (or found to be holes) so far
     * @param total the bytes the part covers
     */
    void update(Part part, int index, long done, long total);

    /** Progress that goes nowhere. */
    SnapshotProgress NONE = (part, index, done, total) -> { };
}
