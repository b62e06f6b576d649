// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.GuestAddress;

import java.util.Objects;
import java.util.Optional;

/**
 * How {@link VmSnapshot#restore} provides the restored guest's memory and sets up the new VM.
 *
 * @param memory how the guest memory is provided
 * @param tssAddress where {@code KVM_SET_TSS_ADDR} puts the three pages Intel VMX needs, as the
 *     saved VM had it; empty to leave it unset (AMD, PVM)
 */
public record RestoreOptions(Memory memory, Optional<GuestAddress> tssAddress) {
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
     */
    public RestoreOptions {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(tssAddress, "tssAddress");
    }

    /** {@return memory mapped private from the file, no TSS address} */
    public static RestoreOptions defaults() {
        return new RestoreOptions(Memory.MAP_PRIVATE, Optional.empty());
    }

    /**
     * {@return these options with another memory mode}
     *
     * @param mode how the guest memory is provided
     */
    public RestoreOptions memory(Memory mode) {
        return new RestoreOptions(mode, tssAddress);
    }

    /**
     * {@return these options with {@code KVM_SET_TSS_ADDR} at {@code address}}
     *
     * @param address the first of the three TSS pages, as the saved VM had it
     */
    public RestoreOptions tssAddress(GuestAddress address) {
        return new RestoreOptions(memory, Optional.of(address));
    }
}
