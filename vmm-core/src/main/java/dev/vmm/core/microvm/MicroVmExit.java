// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

/**
 * How a {@link MicroVm} run ended.
 *
 * @param reason the kind of ending
 * @param detail what exactly, for the log (e.g. the KVM exit that could not be handled)
 */
public record MicroVmExit(Reason reason, String detail) {
    /** The kinds of ending. */
    public enum Reason {
        /** The guest powered off: it entered the ACPI sleep state S5 (soft off). */
        POWEROFF,
        /**
         * The guest reset the machine, through the ACPI reset register or the i8042's reset line:
         * how Linux reboots, and how it ends after a panic with {@code panic=-1}.
         */
        REBOOT,
        /** The guest shut down: a triple fault, or a shutdown system event. */
        SHUTDOWN,
        /**
         * Every vCPU halted with interrupts off, for good: a Linux poweroff or halt with
         * {@code acpi=off}. Only looked for then: with ACPI, a poweroff is {@link #POWEROFF}.
         */
        HALTED,
        /** {@link MicroVm#stop()} was called (e.g. a timeout). */
        STOPPED,
        /** KVM reported an exit this VMM cannot handle, or a KVM call failed. */
        ERROR
    }

    /** {@return whether the guest ended the VM itself: poweroff, reboot, shutdown or halt} */
    public boolean clean() {
        return reason != Reason.STOPPED && reason != Reason.ERROR;
    }

    @Override
    public String toString() {
        return reason.name().toLowerCase(java.util.Locale.ROOT) + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
