package dev.vmm.core.microvm;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.prefault.PreFaultPolicy;

import java.nio.file.Path;

/**
 * What a {@link MicroVm} boots, and with what.
 *
 * @param kernel a bzImage or an ELF vmlinux
 * @param initrd the initial RAM disk, or null for none
 * @param commandLine the kernel command line; {@link #DEFAULT_COMMAND_LINE} suits this VM's devices
 * @param memoryBytes guest RAM in bytes (a multiple of 4 KiB)
 * @param cpus vCPUs (1 to {@link dev.vmm.core.boot.LinuxBoot#maxCpus()}; {@link MicroVm#create} checks this and the memory size)
 * @param preFault what to do to guest memory before the kernel is loaded
 */
public record MicroVmConfig(Path kernel, Path initrd, String commandLine, long memoryBytes, int cpus, PreFaultPolicy preFault) {
    /**
     * The console on the UART at 0x3f8, resets through the i8042 (so reboot, poweroff and a panic
     * end the VM), and no probing of hardware this VM does not have: PCI, more UARTs, the i8042's
     * mouse port.
     */
    public static final String DEFAULT_COMMAND_LINE =
            "console=ttyS0 reboot=k panic=-1 acpi=off pci=off 8250.nr_uarts=1 i8042.noaux i8042.nomux i8042.dumbkbd quiet";

    public MicroVmConfig {
        if (kernel == null) {
            throw new BootException("No kernel image given: give the path of a bzImage or an ELF vmlinux.");
        }
        if (commandLine == null) {
            commandLine = DEFAULT_COMMAND_LINE;
        }
        if (preFault == null) {
            preFault = PreFaultPolicy.NONE;
        }
    }

    /** A VM of {@code memoryMib} MiB and {@code cpus} vCPUs, default command line, no pre-fault. */
    public static MicroVmConfig of(Path kernel, Path initrd, long memoryMib, int cpus) {
        return new MicroVmConfig(kernel, initrd, null, memoryMib << 20, cpus, PreFaultPolicy.NONE);
    }

    public MicroVmConfig withCommandLine(String commandLine) {
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault);
    }

    public MicroVmConfig withPreFault(PreFaultPolicy preFault) {
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault);
    }
}
