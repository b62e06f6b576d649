// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code ./vmm boot} runs, worked out from its command line by the launcher itself, in a JVM
 * on the host before anything boots: the options completed with the default kernel and images,
 * every input checked, and the files a sandbox cannot see copied where it can. The script parses
 * nothing of the launcher's; it acts on {@link #toShell()}.
 *
 * <p>The defaults: with no kernel, initrd or root disk given, the default kernel boots to the
 * default ext4 root, read-only, through the initramfs that loads its modules ({@code --disk} adds
 * to that); a root disk with the default kernel gets that initramfs too; a kernel of the user's
 * own gets the busybox initramfs unless it has a root disk. A {@code --config} file describes
 * the whole machine: nothing is added to it.
 *
 * @param run the launcher's arguments for the boot
 * @param training the arguments of one quiet boot of the same machine, to train an AOT cache
 * @param staged the copies made for the sandbox, for the script to delete after the boot
 * @param sandboxMemoryMib the memory the sandbox needs: the JVM's and the guest's
 * @param sandboxCpus the sandbox's vCPUs: no fewer than the guest's
 * @param needsQemu whether QEMU boots too ({@code --compare qemu})
 */
record BootPlan(List<String> run, List<String> training, List<Path> staged, long sandboxMemoryMib, int sandboxCpus, boolean needsQemu) {
    /** Where the launcher will run: on this machine's KVM, or inside the 6.12 sandbox. */
    enum Where { HOST, SANDBOX }

    /**
     * The default kernel and images, as scripts/boot-assets.sh prints them.
     *
     * @param kernel the Debian 6.12 kernel
     * @param initrd the busybox initramfs
     * @param rootfs the ext4 root file system image
     * @param rootfsInitrd the initramfs that loads the default kernel's virtio and ext4 modules and switches to the root
     */
    record DefaultImages(Path kernel, Path initrd, Path rootfs, Path rootfsInitrd) {
        /** The images named in VMM_BOOT_KERNEL, VMM_BOOT_INITRD, VMM_BOOT_ROOTFS and VMM_BOOT_ROOTFS_INITRD, if all are set. */
        static Optional<DefaultImages> from(Map<String, String> environment) {
            List<String> names = List.of("VMM_BOOT_KERNEL", "VMM_BOOT_INITRD", "VMM_BOOT_ROOTFS", "VMM_BOOT_ROOTFS_INITRD");
            if (!names.stream().allMatch(name -> environment.get(name) != null && !environment.get(name).isEmpty())) {
                return Optional.empty();
            }
            return Optional.of(new DefaultImages(Path.of(environment.get(names.get(0))), Path.of(environment.get(names.get(1))),
                    Path.of(environment.get(names.get(2))), Path.of(environment.get(names.get(3)))));
        }
    }

    /** The sandbox holds the launcher's JVM beside the guest: this much on top of the guest's memory, and 4 GiB at least. */
    private static final long SANDBOX_OVERHEAD_MIB = 2048, SANDBOX_MIN_MIB = 4096;

    /**
     * Plans the boot that {@code args} ask for.
     *
     * @param defaults the default images, when known
     * @param project the project folder, the only one the sandbox can write (and where copies go)
     * @return the plan, or empty when the defaults are needed and {@code defaults} is empty
     * @throws BootException with one sentence, for any bad option or file
     */
    static Optional<BootPlan> make(List<String> args, Where where, Optional<DefaultImages> defaults, Path project) {
        String[] given = args.toArray(String[]::new);
        BootOptions options = BootOptions.parse(false, given);
        if (BootOptions.configFile(given) == null && (options.kernel() == null || options.initrd() == null)) {
            if (defaults.isEmpty()) {
                return Optional.empty();
            }
            options = BootOptions.parse(withDefaults(options, defaults.get(), args).toArray(String[]::new));
        } else if (options.kernel() == null) {
            options = BootOptions.parse(given); // says what is missing
        }
        BootLauncher.checkInputs(options);
        if (where == Where.SANDBOX && (!options.networkInterfaces().isEmpty() || options.vsock() != null)) {
            throw new BootException("--net and --vsock need this host's own KVM: in the sandbox, the tap and the socket would be inside"
                    + " its machine, out of reach from here (./vmm test boots them there).");
        }
        if (where == Where.SANDBOX && options.jfr() != null && !inside(options.jfr().getParent(), project)) {
            throw new BootException("--jfr " + options.jfr() + ": inside the sandbox only the project folder (" + project + ") is writable: name a file there.");
        }
        if (where == Where.SANDBOX && options.snapshotAfterBoot() != null && !inside(options.snapshotAfterBoot().getParent(), project)) {
            throw new BootException("--snapshot-after-boot " + options.snapshotAfterBoot() + ": inside the sandbox only the project folder ("
                    + project + ") is writable: name a directory there (target/snapshots/NAME, say).");
        }
        if (defaults.isPresent() && options.firstDriveIsRoot() && options.drives().getFirst().image().equals(defaults.get().rootfs())) {
            System.err.println("vmm boot: booting to the cached ext4 root file system, read-only (" + defaults.get().rootfs() + ")");
        }
        List<Path> staged = new ArrayList<>();
        BootOptions placed;
        try {
            placed = options.withFilesPlaced((what, file, writable) -> place(what, file, writable, where, project, staged));
        } catch (BootException e) {
            staged.forEach(copy -> copy.toFile().delete()); // no plan: nobody else would
            throw e;
        }
        List<String> training = new ArrayList<>(placed.machineArguments());
        training.add("--json");
        return Optional.of(new BootPlan(placed.arguments(), training, List.copyOf(staged),
                Math.max(SANDBOX_MIN_MIB, options.memoryMib() + SANDBOX_OVERHEAD_MIB), Math.max(2, options.cpus()), options.compareQemu()));
    }

    /** {@code args} with the default kernel, root disk and initramfs in front, as far as they are missing (see the class comment). */
    private static List<String> withDefaults(BootOptions options, DefaultImages images, List<String> args) {
        boolean ownKernel = options.kernel() != null;
        boolean root = options.firstDriveIsRoot();
        List<String> full = new ArrayList<>();
        if (!ownKernel) {
            full.addAll(List.of("--kernel", images.kernel().toString()));
            // The default root, shared by every boot and never written; not for a snapshot, which holds no virtio device yet.
            if (options.initrd() == null && !root && options.snapshotAfterBoot() == null) {
                full.addAll(List.of("--rootfs", images.rootfs().toString(), "--rootfs-ro"));
                root = true;
            }
        }
        if (options.initrd() == null) {
            if (!ownKernel && root) {
                full.addAll(List.of("--initrd", images.rootfsInitrd().toString())); // its modules are the default kernel's
            } else if (!root) {
                full.addAll(List.of("--initrd", images.initrd().toString()));
            }
        }
        full.addAll(args);
        return full;
    }

    /**
     * Where the boot finds {@code file}: its real path, or, for the sandbox, a copy in the project
     * folder of a file in /tmp (the sandbox's /tmp is a fresh tmpfs). A file the guest may write
     * must be in the project folder already: only that folder is writable inside the sandbox.
     */
    private static Path place(String what, Path file, boolean writable, Where where, Path project, List<Path> staged) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw new BootException("The " + what + " '" + file + "' is not a readable file.");
        }
        if (where == Where.HOST || inside(real, project)) {
            return real;
        }
        if (writable) {
            throw new BootException("The " + what + " '" + real + "' is writable, but inside the sandbox only the project folder (" + project
                    + ") is: copy the image there, or give it read-only (--rootfs-ro, --disk-ro).");
        }
        if (!real.startsWith("/tmp")) {
            return real; // the sandbox sees the host's other folders, read-only
        }
        Path copy = project.resolve("target/boot-staging").resolve(ProcessHandle.current().pid() + "-" + staged.size() + "-" + real.getFileName());
        System.err.println("vmm boot: copying the " + what + " " + real + " to " + copy.getParent() + " (the sandbox cannot see /tmp)");
        try {
            Files.createDirectories(copy.getParent());
            Files.copy(real, copy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BootException("Cannot copy the " + what + " " + real + " to " + copy + " (" + e.getMessage() + "): free space there or move the file out of /tmp.");
        }
        staged.add(copy);
        return copy;
    }

    private static boolean inside(Path path, Path project) {
        try {
            return path.toRealPath().startsWith(project.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** The plan as bash assignments (plan_run, plan_training, plan_staged arrays and three numbers), every value single-quoted. */
    String toShell() {
        return "plan_run=(" + quoted(run) + ")\n"
                + "plan_training=(" + quoted(training) + ")\n"
                + "plan_staged=(" + quoted(staged.stream().map(Path::toString).toList()) + ")\n"
                + "plan_sandbox_mem=" + sandboxMemoryMib + "\n"
                + "plan_sandbox_cpus=" + sandboxCpus + "\n"
                + "plan_qemu=" + (needsQemu ? 1 : 0) + "\n";
    }

    /** Words for bash: each in single quotes, a quote in it as '\'' (nothing else is special there; a path holds no NUL). */
    private static String quoted(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            b.append(b.isEmpty() ? "" : " ").append('\'').append(w.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }
}
