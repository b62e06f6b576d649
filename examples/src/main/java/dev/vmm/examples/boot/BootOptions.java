// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.boot.LinuxBoot;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.virtio.MacAddress;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The launcher's command line. Bad input is a {@link BootException} with one sentence.
 *
 * @param networkInterfaces the guest's network interfaces, in order
 * @param vsock the vsock device, or null
 * @param jfr where a Flight Recorder recording of the (first) boot goes, or null
 * @param snapshotAfterBoot the directory a snapshot of the running guest goes to at boot-complete, or null
 * @param child internal: boot once and print the measurement for a parent launcher
 */
record BootOptions(Path kernel, Path initrd, String commandLine, long memoryMib, int cpus, PreFaultPolicy preFault,
                   List<MicroVmConfig.Drive> drives, boolean firstDriveIsRoot, List<MicroVmConfig.NetworkInterface> networkInterfaces,
                   MicroVmConfig.Vsock vsock, int runs, boolean json, boolean compareQemu, int timeoutSeconds, Path jfr,
                   Path snapshotAfterBoot, boolean child) {
    /** What vmm.count= the command line gets with --snapshot-after-boot: the busybox init counts 5 s after boot-complete. */
    static final String COUNTING = "vmm.count=25";

    static final String USAGE = """
            usage: BootLauncher (--kernel PATH | --config FILE) [--initrd PATH] [--cmdline S] [--mem MIB] [--cpus N]
                                [--rootfs IMAGE [--rootfs-ro]] [--disk IMAGE | --disk-ro IMAGE]...
                                [--net tap=NAME[,mac=MAC]]... [--vsock cid=N,uds=PATH]
                                [--prefault NONE|POPULATE|STAGE2|FULL|AUTO] [--runs N] [--json] [--compare qemu] [--timeout S] [--jfr FILE]
                                [--snapshot-after-boot DIR]
              --kernel      bzImage or ELF vmlinux to boot
              --config      a JSON machine description in the shape of Firecracker's --config-file:
                              {"boot-source": {"kernel_image_path": ..., "initrd_path": ..., "boot_args": ...},
                               "drives": [{"drive_id": ..., "path_on_host": ..., "is_root_device": B, "is_read_only": B}],
                               "network-interfaces": [{"iface_id": ..., "host_dev_name": ..., "guest_mac": ...}],
                               "vsock": {"guest_cid": N, "uds_path": ...},
                               "machine-config": {"vcpu_count": N, "mem_size_mib": N}}
                            options given beside it take precedence
              --initrd      initial RAM disk (a cpio archive)
              --cmdline     kernel command line (default: %s)
              --mem         guest memory in MiB (default 256)
              --cpus        vCPUs (default 1)
              --rootfs      a raw disk image (e.g. ext4) as the guest's first virtio-blk disk, /dev/vda, and its root:
                            root=/dev/vda is added to the command line unless it names a root= already
              --rootfs-ro   the root disk is read-only (and the command line gets ro)
              --disk        one more raw disk image, writable: /dev/vdb, /dev/vdc, ... in order (up to 8 disks in all)
              --disk-ro     one more raw disk image, read-only
              --net         a virtio-net interface (eth0, eth1, ... in order) on the host's tap NAME, created if it does not
                            exist (which takes CAP_NET_ADMIN) and removed after; mac= the guest's address (default: random,
                            locally administered). Addresses and routes on the tap are the host's to set (ip addr, ip link)
              --vsock       a virtio-vsock device, guest context ID N (3 or more), with Firecracker's hybrid vsock: a host
                            program connects to the Unix socket PATH and writes "CONNECT <port>\\n" to reach a guest
                            listener; the guest's connections to CID 2 port P reach a listener on PATH_P. uds= comes last
                            (a comma after it belongs to the path); PATH must not exist yet, and is removed after
              (disks, network interfaces and the vsock device: 8 virtio devices at most, in that order)
              --prefault    pre-fault policy for guest memory (default NONE)
              --runs        boots to measure, each in a fresh JVM when more than one (default 1)
              --json        print one JSON object per run instead of the report
              --compare qemu  also boot the same kernel, initrd, command line and disks with QEMU's microvm (-accel kvm)
              --timeout     seconds one boot may take (default 600)
              --jfr FILE    a Flight Recorder recording of the boot (the first, with --runs), written to FILE:
                            the dev.vmm events (boot phases, pre-fault, vCPU exits) and the JVM's own;
                            starting the recorder slows the boot it records
              --snapshot-after-boot DIR  at boot-complete, save the running guest into DIR (created, or replaced if it holds
                            a snapshot), for ./vmm restore DIR; the guest runs on. Disks go with it (a writable one is copied
                            into DIR), as do --net (tap, MAC) and --vsock (CID, socket; its connections are reset in a
                            restore); booted once; the command line gets %s unless it has a
                            vmm.count=, so that the project's init counts for 5 s after boot-complete: a guest at work when
                            it is saved
            """.formatted(MicroVmConfig.DEFAULT_COMMAND_LINE, COUNTING);

    /** The options that take a value (those of parse's second switch). */
    private static final List<String> VALUED_OPTIONS = List.of("--kernel", "--initrd", "--cmdline", "--mem", "--cpus", "--prefault", "--runs",
            "--compare", "--timeout", "--rootfs", "--disk", "--disk-ro", "--net", "--vsock", "--jfr", "--snapshot-after-boot");

    static BootOptions parse(String... args) {
        return parse(true, args);
    }

    /**
     * Parses {@code args}; without {@code kernelRequired}, the kernel may be missing (null), for
     * {@link BootPlan} to learn what the defaults must complete.
     */
    static BootOptions parse(boolean kernelRequired, String... args) {
        Path kernel = null, initrd = null;
        String cmdline = MicroVmConfig.DEFAULT_COMMAND_LINE;
        long mem = 256;
        int cpus = 1, runs = 1, timeout = 600;
        PreFaultPolicy preFault = PreFaultPolicy.NONE;
        boolean json = false, qemu = false, child = false, rootReadOnly = false, rootfsOption = false;
        Path rootfs = null, jfr = null, snapshot = null;
        List<MicroVmConfig.Drive> disks = new ArrayList<>();
        List<MicroVmConfig.NetworkInterface> nics = new ArrayList<>();
        MicroVmConfig.Vsock vsock = null;
        boolean vsockOption = false;
        MachineConfigFile file = configFile(args);
        if (file != null) {
            kernel = file.kernel();
            initrd = file.initrd();
            cmdline = file.bootArgs() != null ? file.bootArgs() : cmdline;
            mem = file.memoryMib() != null ? file.memoryMib() : mem;
            cpus = file.cpus() != null ? file.cpus() : cpus;
            if (file.root() != null) {
                rootfs = file.root().image();
                rootReadOnly = file.root().readOnly();
            }
            disks.addAll(file.disks());
            nics.addAll(file.networkInterfaces());
            vsock = file.vsock();
        }
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--config" -> i++; // read above, first, so that the options beside it take precedence
                case "--json" -> json = true;
                case "--rootfs-ro" -> rootReadOnly = true;
                case "--child" -> child = true;
                case "--kernel", "--initrd", "--cmdline", "--mem", "--cpus", "--prefault", "--runs", "--compare", "--timeout", "--rootfs", "--disk",
                     "--disk-ro", "--net", "--vsock", "--jfr", "--snapshot-after-boot" -> {
                    if (i + 1 >= args.length) {
                        throw new BootException("Option " + option + " needs a value (see --help).");
                    }
                    String value = args[++i];
                    switch (option) {
                        case "--kernel" -> kernel = path(option, value);
                        case "--initrd" -> initrd = path(option, value);
                        case "--cmdline" -> cmdline = value;
                        case "--rootfs" -> {
                            if (rootfsOption) {
                                throw new BootException("--rootfs is given twice: give one root disk (more disks with --disk).");
                            }
                            rootfsOption = true;
                            rootfs = path(option, value);
                        }
                        case "--jfr" -> jfr = recordingFile(path(option, value));
                        case "--snapshot-after-boot" -> snapshot = snapshotDirectory(path(option, value));
                        case "--disk" -> disks.add(new MicroVmConfig.Drive(path(option, value), false));
                        case "--disk-ro" -> disks.add(new MicroVmConfig.Drive(path(option, value), true));
                        case "--net" -> nics.add(networkInterface(value));
                        case "--vsock" -> {
                            if (vsockOption) {
                                throw new BootException("--vsock is given twice: this VM has one vsock device.");
                            }
                            vsockOption = true;
                            vsock = vsock(value);
                        }
                        case "--mem" -> mem = number(option, value, 1, 1 << 20);
                        case "--cpus" -> cpus = (int) number(option, value, 1, 255);
                        case "--runs" -> runs = (int) number(option, value, 1, 1000);
                        case "--timeout" -> timeout = (int) number(option, value, 1, 86400);
                        case "--prefault" -> preFault = policy(value);
                        case "--compare" -> {
                            if (!value.equals("qemu")) {
                                throw new BootException("--compare takes 'qemu', not " + shown(value) + ".");
                            }
                            qemu = true;
                        }
                        default -> throw new AssertionError(option);
                    }
                }
                default -> throw new BootException("Unknown option " + shown(option) + ": the options are --kernel, --config, --initrd, --cmdline,"
                        + " --mem, --cpus, --rootfs, --rootfs-ro, --disk, --disk-ro, --net, --vsock, --prefault, --runs, --json, --compare qemu,"
                        + " --timeout, --jfr and --snapshot-after-boot.");
            }
        }
        if (kernel == null && kernelRequired) {
            throw new BootException("No kernel given: add --kernel PATH (a bzImage or an ELF vmlinux), or --config FILE.");
        }
        List<MicroVmConfig.Drive> drives = new ArrayList<>();
        if (rootfs != null) {
            drives.add(new MicroVmConfig.Drive(rootfs, rootReadOnly));
            if (LinuxBoot.commandLineWords(cmdline).noneMatch(word -> word.startsWith("root="))) {
                cmdline = cmdline + " root=/dev/vda" + (rootReadOnly ? " ro" : "");
            }
        } else if (rootReadOnly) {
            throw new BootException("--rootfs-ro without --rootfs: give the root disk image with --rootfs IMAGE.");
        }
        drives.addAll(disks);
        int virtioDevices = drives.size() + nics.size() + (vsock == null ? 0 : 1);
        if (virtioDevices > MicroVmConfig.MAX_VIRTIO_DEVICES) {
            throw new BootException(drives.size() + " disks, " + nics.size() + " network interfaces and " + (vsock == null ? "no" : "a")
                    + " vsock device given: this VM takes at most " + MicroVmConfig.MAX_VIRTIO_DEVICES + " in all.");
        }
        if (qemu && (!nics.isEmpty() || vsock != null)) {
            throw new BootException("--compare qemu boots disks only, not --net or --vsock: leave those out to compare.");
        }
        if (snapshot != null) {
            if (runs != 1 || qemu) {
                throw new BootException("--snapshot-after-boot saves one boot of this VMM: leave out --runs and --compare.");
            }
            if (LinuxBoot.commandLineWords(cmdline).noneMatch(word -> word.startsWith("vmm.count="))) {
                cmdline = cmdline + " " + COUNTING;
            }
        }
        return new BootOptions(kernel, initrd, cmdline, mem, cpus, preFault, List.copyOf(drives), rootfs != null, List.copyOf(nics), vsock,
                runs, json, qemu, timeout, jfr, snapshot, child);
    }

    /** {@code --net tap=NAME[,mac=MAC]}. */
    private static MicroVmConfig.NetworkInterface networkInterface(String value) {
        String tap = null;
        MacAddress mac = null;
        for (String part : value.split(",", -1)) {
            if (part.startsWith("tap=") && tap == null) {
                tap = part.substring(4);
            } else if (part.startsWith("mac=") && mac == null) {
                try {
                    mac = MacAddress.parse(part.substring(4));
                } catch (IllegalArgumentException e) {
                    throw new BootException("--net: " + e.getMessage());
                }
            } else {
                throw new BootException("--net takes tap=NAME[,mac=MAC], each once, not " + shown(value) + ".");
            }
        }
        if (tap == null) {
            throw new BootException("--net takes tap=NAME[,mac=MAC], not " + shown(value) + ": name the host's tap interface.");
        }
        return new MicroVmConfig.NetworkInterface(tap, mac);
    }

    /** {@code --vsock cid=N,uds=PATH}: uds= last, taking the rest (commas too). */
    private static MicroVmConfig.Vsock vsock(String value) {
        int uds = value.startsWith("uds=") ? 0 : value.indexOf(",uds=") + 1;
        String head = uds == 0 ? "" : value.substring(0, uds - 1);
        if (uds == 0 && !value.startsWith("uds=") || !head.startsWith("cid=") || head.indexOf(',') >= 0) {
            throw new BootException("--vsock takes cid=N,uds=PATH, not " + shown(value) + ".");
        }
        long cid = number("--vsock cid", head.substring(4), 0, 0xffff_ffffL);
        return new MicroVmConfig.Vsock(cid, path("--vsock uds", value.substring(uds + 4)));
    }

    /** The machine description of {@code --config FILE}, if given (once). */
    static MachineConfigFile configFile(String... args) {
        MachineConfigFile file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new BootException("Option --config needs a value (see --help).");
                }
                if (file != null) {
                    throw new BootException("--config is given twice: give one machine description.");
                }
                file = MachineConfigFile.read(path("--config", args[++i]));
            } else if (VALUED_OPTIONS.contains(args[i])) {
                i++; // the option's value, whatever it says, is not an option
            }
        }
        return file;
    }

    static long number(String option, String value, long min, long max) {
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the sentence below says it
        }
        throw new BootException(option + " takes a whole number from " + min + " to " + max + ", not " + shown(value) + ".");
    }

    static PreFaultPolicy policy(String value) {
        try {
            return PreFaultPolicy.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BootException("--prefault takes one of " + Arrays.toString(PreFaultPolicy.values()) + ", not " + shown(value) + ".");
        }
    }

    /** Where --jfr writes: a file name in a folder that exists and is writable. */
    private static Path recordingFile(Path file) {
        if (Files.isDirectory(file) || !inWritableFolder(file)) {
            throw new BootException("--jfr takes a file to write in a writable folder that exists, not " + shown(file.toString()) + ".");
        }
        return file.toAbsolutePath();
    }

    /** Where --snapshot-after-boot saves: a directory, or a name for one, in a writable folder that exists. */
    private static Path snapshotDirectory(Path directory) {
        if (Files.exists(directory) && !Files.isDirectory(directory) || !inWritableFolder(directory)) {
            throw new BootException("--snapshot-after-boot takes a directory (new, or an earlier snapshot's) in a writable folder that exists,"
                    + " not " + shown(directory.toString()) + ".");
        }
        return directory.toAbsolutePath();
    }

    /** Whether {@code path}'s folder exists and this process may write there. */
    private static boolean inWritableFolder(Path path) {
        Path folder = path.toAbsolutePath().getParent();
        return folder != null && Files.isDirectory(folder) && Files.isWritable(folder);
    }

    static Path path(String option, String value) {
        if (value.isEmpty()) { // Path.of("") is the working directory
            throw new BootException(option + " takes a path, not ''.");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) { // a NUL, or a name this system's file name encoding cannot hold
            throw new BootException(option + " takes a path, not " + shown(value) + " (" + e.getReason() + ").");
        }
    }

    /** A value quoted for an error message: control characters as '?', so the message stays one line, and long ones cut. */
    static String shown(String value) {
        StringBuilder b = new StringBuilder("'");
        value.codePoints().limit(80).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.append(value.codePointCount(0, value.length()) > 80 ? "...'" : "'").toString();
    }

    MicroVmConfig vmConfig() {
        return new MicroVmConfig(kernel, initrd, commandLine, memoryMib << 20, cpus, preFault, drives, networkInterfaces, vsock);
    }

    /** Where a boot finds a file of the machine: see {@link #withFilesPlaced}. */
    interface FilePlacement {
        /**
         * @param what what the file is, for messages ("kernel", "disk", ...)
         * @param writable whether the guest may write it
         */
        Path place(String what, Path file, boolean writable);
    }

    /** These settings with the kernel, initrd and disk images each where {@code placement} puts it. */
    BootOptions withFilesPlaced(FilePlacement placement) {
        List<MicroVmConfig.Drive> placed = new ArrayList<>();
        for (int i = 0; i < drives.size(); i++) {
            MicroVmConfig.Drive d = drives.get(i);
            placed.add(new MicroVmConfig.Drive(placement.place(i == 0 && firstDriveIsRoot ? "root disk" : "disk", d.image(), !d.readOnly()), d.readOnly()));
        }
        return new BootOptions(placement.place("kernel", kernel, false), initrd == null ? null : placement.place("initrd", initrd, false),
                commandLine, memoryMib, cpus, preFault, List.copyOf(placed), firstDriveIsRoot, networkInterfaces, vsock, runs, json, compareQemu,
                timeoutSeconds, jfr, snapshotAfterBoot, child);
    }

    /** The arguments that make a child launcher boot once with these settings; the {@code first} boot is recorded with --jfr. */
    List<String> childArguments(boolean first) {
        List<String> a = new ArrayList<>(List.of("--child"));
        a.addAll(machineArguments());
        if (jfr != null && first) {
            a.addAll(List.of("--jfr", jfr.toString()));
        }
        return a;
    }

    /** All these settings as the launcher's arguments, every machine file named directly (no --config). */
    List<String> arguments() {
        List<String> a = new ArrayList<>(machineArguments());
        a.addAll(List.of("--runs", Integer.toString(runs)));
        if (json) {
            a.add("--json");
        }
        if (compareQemu) {
            a.addAll(List.of("--compare", "qemu"));
        }
        if (jfr != null) {
            a.addAll(List.of("--jfr", jfr.toString()));
        }
        if (snapshotAfterBoot != null) {
            a.addAll(List.of("--snapshot-after-boot", snapshotAfterBoot.toString()));
        }
        return a;
    }

    /** The arguments for one boot of this machine: kernel, initrd, command line, sizes, pre-fault, virtio devices and timeout. */
    List<String> machineArguments() {
        List<String> a = new ArrayList<>(List.of("--kernel", kernel.toString(), "--cmdline", commandLine,
                "--mem", Long.toString(memoryMib), "--cpus", Integer.toString(cpus), "--prefault", preFault.name(),
                "--timeout", Integer.toString(timeoutSeconds)));
        if (initrd != null) {
            a.addAll(List.of("--initrd", initrd.toString()));
        }
        for (int i = 0; i < drives.size(); i++) { // the command line above says root= already
            MicroVmConfig.Drive drive = drives.get(i);
            if (i == 0 && firstDriveIsRoot) {
                a.addAll(List.of("--rootfs", drive.image().toString()));
                if (drive.readOnly()) {
                    a.add("--rootfs-ro");
                }
            } else {
                a.addAll(List.of(drive.readOnly() ? "--disk-ro" : "--disk", drive.image().toString()));
            }
        }
        for (MicroVmConfig.NetworkInterface nic : networkInterfaces) {
            a.addAll(List.of("--net", "tap=" + nic.tap() + (nic.mac() == null ? "" : ",mac=" + nic.mac())));
        }
        if (vsock != null) {
            a.addAll(List.of("--vsock", "cid=" + vsock.guestCid() + ",uds=" + vsock.socket()));
        }
        return a;
    }
}
