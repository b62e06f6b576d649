// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.prefault.PreFaultPolicy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link MicroVm} boots, and with what.
 *
 * @param kernel a bzImage or an ELF vmlinux
 * @param initrd the initial RAM disk, or null for none
 * @param commandLine the kernel command line; {@link #DEFAULT_COMMAND_LINE} suits this VM's devices
 * @param memoryBytes guest RAM in bytes (a multiple of 4 KiB)
 * @param cpus vCPUs (1 to {@link dev.vmm.core.boot.LinuxBoot#maxCpus(boolean)}; {@link MicroVm#create} checks this and the memory size)
 * @param preFault what to do to guest memory before the kernel is loaded
 * @param drives virtio-blk disks, in order: the first is /dev/vda in a Linux guest
 */
public record MicroVmConfig(Path kernel, Path initrd, String commandLine, long memoryBytes, int cpus, PreFaultPolicy preFault,
                            List<Drive> drives) {
    /**
     * A virtio-blk disk backed by a raw image file (a whole number of 512-byte sectors).
     *
     * @param image the raw disk image file
     * @param readOnly the guest may not write it (the file is opened read-only)
     */
    public record Drive(Path image, boolean readOnly) {
        /**
         * Checks that there is an image.
         *
         * @throws BootException when {@code image} is null
         */
        public Drive {
            if (image == null) {
                throw new BootException("A drive without an image: give the path of a raw disk image.");
            }
        }
    }

    /** Most drives: one per I/O APIC pin above the ISA interrupts (16 to 23). */
    public static final int MAX_DRIVES = 8;

    /**
     * The console on the UART at 0x3f8, a restart after a panic (the VM ends on the reboot), and no
     * probing of hardware this VM does not have: PCI, more UARTs, the i8042's mouse port. The
     * kernel finds CPUs, interrupts and devices in the ACPI tables and powers off through ACPI;
     * add {@code acpi=off} to boot on the MP table instead (a poweroff then halts every vCPU, which
     * the VM takes as the end).
     *
     * <p>{@code reboot=a}: reboot through the ACPI reset register (then the i8042, which is all
     * that is left with {@code acpi=off}). Keep a {@code reboot=} in a command line of your own: on
     * a hardware-reduced ACPI machine without one, Linux chooses an EFI reboot, and with no EFI
     * firmware its restart then hangs (seen on Debian's 6.12 and 6.1 kernels) instead of ending the VM.
     */
    public static final String DEFAULT_COMMAND_LINE =
            "console=ttyS0 reboot=a panic=-1 pci=off 8250.nr_uarts=1 i8042.noaux i8042.nomux i8042.dumbkbd quiet";

    /**
     * Fills in the defaults: the default command line for null, no pre-fault for null, no drives
     * for null.
     *
     * @throws BootException when there is no kernel or more than {@link #MAX_DRIVES} drives
     */
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
        drives = drives == null ? List.of() : List.copyOf(drives);
        if (drives.size() > MAX_DRIVES) {
            throw new BootException(drives.size() + " drives given: this VM takes at most " + MAX_DRIVES + ".");
        }
    }

    /**
     * A configuration without drives.
     *
     * @param kernel a bzImage or an ELF vmlinux
     * @param initrd the initial RAM disk, or null for none
     * @param commandLine the kernel command line, or null for {@link #DEFAULT_COMMAND_LINE}
     * @param memoryBytes guest RAM in bytes (a multiple of 4 KiB)
     * @param cpus vCPUs
     * @param preFault what to do to guest memory before the kernel is loaded, or null for NONE
     * @throws BootException when there is no kernel
     */
    public MicroVmConfig(Path kernel, Path initrd, String commandLine, long memoryBytes, int cpus, PreFaultPolicy preFault) {
        this(kernel, initrd, commandLine, memoryBytes, cpus, preFault, List.of());
    }

    /**
     * {@return a VM of {@code memoryMib} MiB and {@code cpus} vCPUs, default command line, no pre-fault, no drives}
     *
     * @param kernel a bzImage or an ELF vmlinux
     * @param initrd the initial RAM disk, or null for none
     * @param memoryMib guest RAM in MiB
     * @param cpus vCPUs
     * @throws BootException when there is no kernel
     */
    public static MicroVmConfig of(Path kernel, Path initrd, long memoryMib, int cpus) {
        return new MicroVmConfig(kernel, initrd, null, memoryMib << 20, cpus, PreFaultPolicy.NONE);
    }

    /**
     * {@return this config with another kernel command line}
     *
     * @param commandLine the command line, or null for {@link #DEFAULT_COMMAND_LINE}
     */
    public MicroVmConfig withCommandLine(String commandLine) {
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault, drives);
    }

    /**
     * {@return this config with another pre-fault policy}
     *
     * @param preFault the policy, or null for NONE
     */
    public MicroVmConfig withPreFault(PreFaultPolicy preFault) {
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault, drives);
    }

    /**
     * {@return this config with one more drive, after the others}
     *
     * @param drive the drive
     * @throws BootException when that makes more than {@link #MAX_DRIVES}
     */
    public MicroVmConfig withDrive(Drive drive) {
        List<Drive> more = new ArrayList<>(drives);
        more.add(drive);
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault, more);
    }
}
