// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.Tap;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.virtio.MacAddress;
import dev.vmm.core.virtio.vsock.VirtioVsock;

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
 * @param networkInterfaces virtio-net interfaces, in order: the first is eth0 in a Linux guest
 * @param vsock the virtio-vsock device, or null for none
 */
public record MicroVmConfig(Path kernel, Path initrd, String commandLine, long memoryBytes, int cpus, PreFaultPolicy preFault,
                            List<Drive> drives, List<NetworkInterface> networkInterfaces, Vsock vsock) {
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

    /**
     * A virtio-net interface backed by a tap on the host, opened by {@link MicroVm#create} in the
     * network namespace of the thread that calls it (created there if it does not exist, which
     * takes CAP_NET_ADMIN; a persistent tap made for this user is attached to without it).
     *
     * @param tap the host's tap interface name (1 to 15 bytes)
     * @param mac the guest's MAC address, or null for a random locally administered one
     */
    public record NetworkInterface(String tap, MacAddress mac) {
        /**
         * Checks the tap name and that the MAC address can be an interface's own.
         *
         * @throws BootException when either is not
         */
        public NetworkInterface {
            if (tap == null) {
                throw new BootException("A network interface without a tap: give the name of the host's tap interface.");
            }
            try {
                Tap.checkName(tap);
            } catch (IllegalArgumentException e) {
                throw new BootException(e.getMessage());
            }
            if (mac != null && mac.isMulticast()) {
                throw new BootException("The MAC address " + mac + " is a multicast address, which no interface may have as its own:"
                        + " give one whose first byte is even, such as 02:00:00:00:00:01.");
            }
        }
    }

    /**
     * A virtio-vsock device with Firecracker's hybrid vsock on the host: a program connects to the
     * Unix socket {@code socket} and writes "CONNECT port\n" to reach a guest listener, and a guest
     * connection to the host (CID 2) port P reaches a listener on the Unix socket "{@code socket}_P".
     *
     * @param guestCid the guest's context ID, {@link VirtioVsock#MIN_GUEST_CID} to {@link VirtioVsock#MAX_GUEST_CID}
     * @param socket where {@link MicroVm#create} creates the listening socket: a path that does not
     *     exist yet, in a folder that does; removed when the VM closes
     */
    public record Vsock(long guestCid, Path socket) {
        /**
         * Checks the context ID and that there is a socket path.
         *
         * @throws BootException when either is wrong
         */
        public Vsock {
            if (guestCid < VirtioVsock.MIN_GUEST_CID || guestCid > VirtioVsock.MAX_GUEST_CID) {
                throw new BootException("The guest CID " + guestCid + " is not one a guest may have: give " + VirtioVsock.MIN_GUEST_CID
                        + " to " + VirtioVsock.MAX_GUEST_CID + " (0 to 2 are the hypervisor's, loopback's and the host's).");
            }
            if (socket == null) {
                throw new BootException("A vsock device without a socket path: give where its Unix socket is to be created.");
            }
        }
    }

    /**
     * Most virtio devices (drives, network interfaces and the vsock device together): one per
     * I/O APIC pin above the ISA interrupts (16 to 23).
     */
    public static final int MAX_VIRTIO_DEVICES = 8;

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
     * or network interfaces for null.
     *
     * @throws BootException when there is no kernel or more than {@link #MAX_VIRTIO_DEVICES} virtio devices
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
        networkInterfaces = networkInterfaces == null ? List.of() : List.copyOf(networkInterfaces);
        int virtioDevices = drives.size() + networkInterfaces.size() + (vsock == null ? 0 : 1);
        if (virtioDevices > MAX_VIRTIO_DEVICES) {
            throw new BootException(drives.size() + " drives, " + networkInterfaces.size() + " network interfaces and "
                    + (vsock == null ? "no" : "a") + " vsock device given: this VM takes at most " + MAX_VIRTIO_DEVICES
                    + " virtio devices in all.");
        }
    }

    /**
     * A configuration with drives and no network interfaces or vsock.
     *
     * @param kernel a bzImage or an ELF vmlinux
     * @param initrd the initial RAM disk, or null for none
     * @param commandLine the kernel command line, or null for {@link #DEFAULT_COMMAND_LINE}
     * @param memoryBytes guest RAM in bytes (a multiple of 4 KiB)
     * @param cpus vCPUs
     * @param preFault what to do to guest memory before the kernel is loaded, or null for NONE
     * @param drives virtio-blk disks, or null for none
     * @throws BootException when there is no kernel or more than {@link #MAX_VIRTIO_DEVICES} drives
     */
    public MicroVmConfig(Path kernel, Path initrd, String commandLine, long memoryBytes, int cpus, PreFaultPolicy preFault, List<Drive> drives) {
        this(kernel, initrd, commandLine, memoryBytes, cpus, preFault, drives, List.of(), null);
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
        this(kernel, initrd, commandLine, memoryBytes, cpus, preFault, List.of(), List.of(), null);
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
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault, drives, networkInterfaces, vsock);
    }

    /**
     * {@return this config with another pre-fault policy}
     *
     * @param preFault the policy, or null for NONE
     */
    public MicroVmConfig withPreFault(PreFaultPolicy preFault) {
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault, drives, networkInterfaces, vsock);
    }

    /**
     * {@return this config with one more drive, after the others}
     *
     * @param drive the drive
     * @throws BootException when that makes more than {@link #MAX_VIRTIO_DEVICES} virtio devices
     */
    public MicroVmConfig withDrive(Drive drive) {
        List<Drive> more = new ArrayList<>(drives);
        more.add(drive);
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault, more, networkInterfaces, vsock);
    }

    /**
     * {@return this config with one more network interface, after the others}
     *
     * @param networkInterface the interface
     * @throws BootException when that makes more than {@link #MAX_VIRTIO_DEVICES} virtio devices
     */
    public MicroVmConfig withNetworkInterface(NetworkInterface networkInterface) {
        List<NetworkInterface> more = new ArrayList<>(networkInterfaces);
        more.add(networkInterface);
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault, drives, more, vsock);
    }

    /**
     * {@return this config with a vsock device, in place of any other}
     *
     * @param vsock the vsock device, or null for none
     * @throws BootException when that makes more than {@link #MAX_VIRTIO_DEVICES} virtio devices
     */
    public MicroVmConfig withVsock(Vsock vsock) {
        return new MicroVmConfig(kernel, initrd, commandLine, memoryBytes, cpus, preFault, drives, networkInterfaces, vsock);
    }
}
