package dev.vmm.core.prefault;

/** Receives progress of a long pre-fault. Called from the working threads, so keep it quick and thread-safe. */
@FunctionalInterface
public interface PreFaultProgress {
    /** A phase of the work. */
    enum Phase { POPULATE, STAGE2 }

    /** {@code done} of {@code total} bytes of {@code phase} are complete. */
    void update(Phase phase, long done, long total);

    /** Progress that goes nowhere. */
    PreFaultProgress NONE = (phase, done, total) -> { };
}
