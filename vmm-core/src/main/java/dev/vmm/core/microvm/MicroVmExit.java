package dev.vmm.core.microvm;

/**
 * How a {@link MicroVm} run ended.
 *
 * @param reason the kind of ending
 * @param detail what exactly, for the log (e.g. the KVM exit that could not be handled)
 */
public record MicroVmExit(Reason reason, String detail) {
    public enum Reason {
        /** The guest reset the machine (i8042 reset line): how Linux reboots, and ends after poweroff or panic here. */
        RESET,
        /** The guest shut down: a triple fault, or a shutdown system event. */
        SHUTDOWN,
        /** Every vCPU halted with interrupts off, for good: a Linux poweroff or halt without ACPI. */
        HALTED,
        /** {@link MicroVm#stop()} was called (e.g. a timeout). */
        STOPPED,
        /** KVM reported an exit this VMM cannot handle, or a KVM call failed. */
        ERROR
    }

    /** Whether the guest ended the VM itself: reset, shutdown or halt. */
    public boolean clean() {
        return reason == Reason.RESET || reason == Reason.SHUTDOWN || reason == Reason.HALTED;
    }

    @Override
    public String toString() {
        return reason.name().toLowerCase(java.util.Locale.ROOT) + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
