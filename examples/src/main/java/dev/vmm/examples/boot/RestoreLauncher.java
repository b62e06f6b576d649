// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.KvmException;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.microvm.BootEvent;
import dev.vmm.core.microvm.MicroVm;
import dev.vmm.core.microvm.MicroVmExit;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.snapshot.SnapshotException;
import dev.vmm.core.snapshot.WorkingSet;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The launcher behind {@code ./vmm restore DIR}: restores, in this new process, the MicroVm that
 * {@code ./vmm boot --snapshot-after-boot DIR} (or {@link MicroVm#snapshot}) saved, runs it until
 * the guest ends it, echoing its console, and reports the restore's latency: from process start
 * to main, the restore itself, and the first KVM_RUN after process start. Run with --help for the
 * options.
 */
public final class RestoreLauncher {
    static final String USAGE = """
            usage: RestoreLauncher DIR [--prefault NONE|POPULATE|STAGE2|FULL|AUTO] [--working-set] [--record-working-set]
                                       [--copy] [--net tap=NAME]... [--vsock uds=PATH] [--timeout S]
              DIR                   a directory ./vmm boot --snapshot-after-boot (or MicroVm.snapshot) wrote
              --prefault            pre-fault the restored memory before the guest resumes (default NONE)
              --working-set         pre-fault only the working set recorded in DIR (with --prefault's policy, AUTO by default):
                                    the pages the guest wrote get private copies, those it only read are mapped from the page cache
              --record-working-set  when the guest has ended, record the pages it touched since the restore into DIR/workingset,
                                    for later restores with --working-set (needs a restore without --prefault or --copy)
              --copy                copy the guest memory into fresh memory instead of mapping the snapshot's file private
              --net                 the host tap of the saved machine's next network interface (eth0, eth1, ... in order) instead
                                    of the one it had, which a machine still running holds; the guest keeps its MAC address
              --vsock               where the vsock device listens instead of the saved socket path, which a machine still
                                    running holds; the guest keeps its CID, and its vsock connections are reset
              --timeout             seconds the restored guest may run (default 600)
            """;

    /**
     * The command line.
     *
     * @param directory the snapshot directory
     * @param preFault the policy, or null for none given
     */
    record Options(Path directory, PreFaultPolicy preFault, boolean workingSet, boolean recordWorkingSet, boolean copy, List<String> taps,
                   Path vsockSocket, int timeoutSeconds) {
        static Options parse(String... args) {
            Path directory = null;
            PreFaultPolicy preFault = null;
            boolean workingSet = false, record = false, copy = false;
            List<String> taps = new ArrayList<>();
            Path vsockSocket = null;
            int timeout = 600;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--working-set" -> workingSet = true;
                    case "--record-working-set" -> record = true;
                    case "--copy" -> copy = true;
                    case "--prefault", "--timeout", "--net", "--vsock" -> {
                        if (i + 1 >= args.length) {
                            throw new BootException("Option " + args[i] + " needs a value (see --help).");
                        }
                        String value = args[++i];
                        switch (args[i - 1]) {
                            case "--prefault" -> preFault = BootOptions.policy(value);
                            case "--timeout" -> timeout = (int) BootOptions.number("--timeout", value, 1, 86400);
                            case "--net" -> taps.add(hostEnd("--net", "tap=NAME", value, "the guest keeps the MAC address it had"));
                            default -> {
                                if (vsockSocket != null) {
                                    throw new BootException("--vsock is given twice: the machine has one vsock device.");
                                }
                                vsockSocket = BootOptions.path("--vsock uds", hostEnd("--vsock", "uds=PATH", value, "the guest keeps the CID it had"));
                            }
                        }
                    }
                    default -> {
                        if (args[i].startsWith("-") || directory != null) {
                            throw new BootException("Unknown argument " + BootOptions.shown(args[i]) + ": give the snapshot directory once, and the"
                                    + " options --prefault, --working-set, --record-working-set, --copy, --net, --vsock and --timeout.");
                        }
                        directory = BootOptions.path("The snapshot directory", args[i]);
                    }
                }
            }
            if (directory == null) {
                throw new BootException("No snapshot directory given: name the directory ./vmm boot --snapshot-after-boot DIR wrote.");
            }
            if (!Files.isDirectory(directory)) {
                throw new BootException("The snapshot directory " + BootOptions.shown(directory.toString()) + " is not a directory:"
                        + " name the one ./vmm boot --snapshot-after-boot DIR wrote.");
            }
            if (record && (preFault != null || workingSet || copy)) {
                throw new BootException("--record-working-set records the pages a lazily restored guest touches: leave out --prefault,"
                        + " --working-set and --copy.");
            }
            return new Options(directory, preFault, workingSet, record, copy, List.copyOf(taps), vsockSocket, timeout);
        }

        /** The value of {@code value}, which has the {@code form} KEY=VALUE: the one part a restore may change of a device's host end. */
        private static String hostEnd(String option, String form, String value, String why) {
            String key = form.substring(0, form.indexOf('=') + 1);
            if (!value.startsWith(key) || value.length() == key.length() || value.contains(",")) {
                throw new BootException(option + " takes " + form + " in a restore, not " + BootOptions.shown(value) + ": " + why
                        + ", so give only " + form + ".");
            }
            return value.substring(key.length());
        }

        /** {@return the library's restore options, the working set read from the directory when asked for} */
        RestoreOptions restoreOptions() {
            RestoreOptions options = RestoreOptions.defaults().memory(copy ? RestoreOptions.Memory.COPY : RestoreOptions.Memory.MAP_PRIVATE);
            for (int i = 0; i < taps.size(); i++) {
                options = options.tap(i, taps.get(i));
            }
            if (vsockSocket != null) {
                options = options.vsockSocket(vsockSocket);
            }
            if (workingSet) {
                return options.preFault(preFault == null ? PreFaultPolicy.AUTO : preFault, WorkingSet.read(directory));
            }
            return preFault == null ? options : options.preFault(preFault);
        }
    }

    private RestoreLauncher() {}

    public static void main(String[] args) {
        ProcessClock clock = ProcessClock.start();
        int status;
        try {
            status = run(clock, System.out, args);
        } catch (BootException | SnapshotException e) {
            System.err.println("vmm restore: " + e.getMessage());
            status = 2;
        } catch (KvmException e) {
            System.err.println("vmm restore: KVM refused a step of the restore: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    /** Restores, runs and reports; {@return 0 when the guest ended cleanly (and its working set was written, if asked)} */
    static int run(ProcessClock clock, PrintStream console, String... args) {
        if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Options options = Options.parse(args);
        RestoreOptions restoreOptions = options.restoreOptions();
        ConsoleSink sink = new ConsoleSink(console);
        long start = System.nanoTime();
        try (MicroVm vm = MicroVm.restore(options.directory(), restoreOptions, sink)) {
            long restored = System.nanoTime();
            System.err.printf(Locale.ROOT, "vmm restore: %s, %d MiB, %d vCPU%s, %s memory, %s%n", options.directory(),
                    vm.config().memoryBytes() >> 20, vm.config().cpus(), vm.config().cpus() == 1 ? "" : "s",
                    options.copy() ? "copied" : "mapped private",
                    vm.preFaultResult() == null ? "no pre-fault" : vm.preFaultResult() + (options.workingSet() ? " (the working set)" : ""));
            MicroVmExit exit = vm.run(Duration.ofSeconds(options.timeoutSeconds()));
            sink.flush();
            boolean clean = exit.clean();
            String recorded = "";
            if (options.recordWorkingSet()) {
                try {
                    WorkingSet workingSet = vm.workingSet();
                    workingSet.write(options.directory());
                    recorded = "; working set written to " + options.directory().resolve(WorkingSet.FILE) + ": " + workingSet;
                } catch (IllegalArgumentException | IllegalStateException e) { // touched nothing, or more scattered pages than a set holds
                    recorded = "; no working set written: " + e.getMessage();
                    clean = false;
                }
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "JVM start to main: %.1f ms; restore: %.1f ms; first KVM_RUN at %.1f ms after the process started%n",
                    clock.startToMainMs(), (restored - start) / 1e6,
                    vm.timeOf(BootEvent.FIRST_RUN).isPresent() ? clock.atMs(vm.timeOf(BootEvent.FIRST_RUN).getAsLong()) : Double.NaN);
            System.out.println("exit " + exit + recorded);
            return clean ? 0 : 1;
        }
    }
}
