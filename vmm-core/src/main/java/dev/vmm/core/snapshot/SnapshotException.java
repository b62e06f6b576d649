// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

/**
 * A snapshot cannot be saved or restored: a file that is not a snapshot, truncated, corrupt, of an
 * unknown format version, or one this KVM cannot give (more vCPUs, CPU features it lacks); or
 * restore options that do not fit the snapshot. The message is one sentence saying what is wrong; nothing the restore created is left open.
 */
public final class SnapshotException extends RuntimeException {
    /**
     * A snapshot failure.
     *
     * @param message one sentence: what is wrong and what to do
     */
    public SnapshotException(String message) {
        super(message);
    }

    /**
     * A snapshot failure caused by another exception, e.g. KVM refusing a piece of state.
     *
     * @param message one sentence: what is wrong and what to do
     * @param cause what failed underneath
     */
    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
