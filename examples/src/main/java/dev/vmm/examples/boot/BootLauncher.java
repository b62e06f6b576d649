// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.KvmException;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.boot.LinuxBoot;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.virtio.VirtioBlock;
import dev.vmm.core.virtio.vsock.VirtioVsock;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The microVM launcher behind {@code ./vmm boot}: boots a Linux kernel with this library's
 * {@link dev.vmm.core.microvm.MicroVm}, echoes the guest's console, and reports boot latency per
 * phase; with {@code --runs N}, each boot runs in a fresh JVM (so "JVM start to main" is real
 * every time) and the report gives median, min and max; with {@code --compare qemu}, QEMU's
 * microvm boots the same kernel alongside. Run without arguments for the options.
 */
public final class BootLauncher {
    private BootLauncher() {}

    public static void main(String[] args) {
        ProcessClock clock = ProcessClock.start();
        int status;
        try {
            status = run(clock, args);
        } catch (BootException e) {
            System.err.println("vmm boot: " + e.getMessage());
            status = 2;
        } catch (KvmException e) {
            System.err.println("vmm boot: KVM refused a step of the boot: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    /** {@code --plan}'s status when the defaults are needed: run it again with the VMM_BOOT_* images in the environment. */
    static final int NEEDS_DEFAULT_IMAGES = 3;

    /**
     * Checks the kernel, initrd, sizes, disks and the vsock socket's path, each problem one sentence
     * ({@link BootException}), before any boot. Taps are opened by the boot itself: opening one
     * here would create and remove an interface on the host.
     */
    static void checkInputs(BootOptions options) {
        LinuxBoot.plan(options.kernel(), options.initrd(), options.commandLine(), options.memoryMib() << 20, options.cpus());
        for (MicroVmConfig.Drive drive : options.drives()) {
            VirtioBlock.open(drive.image(), drive.readOnly()).close();
        }
        if (options.vsock() != null) {
            VirtioVsock.open(options.vsock().guestCid(), options.vsock().socket()).close();
        }
    }

    static int run(ProcessClock clock, String... args) {
        if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(BootOptions.USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--plan") && args.length >= 3) { // internal: ./vmm boot's plan (see BootPlan)
            BootPlan.Where where = switch (args[1]) {
                case "host" -> BootPlan.Where.HOST;
                case "sandbox" -> BootPlan.Where.SANDBOX;
                default -> throw new BootException("--plan takes host or sandbox, not " + BootOptions.shown(args[1]) + ".");
            };
            Optional<BootPlan> plan = BootPlan.make(List.of(args).subList(3, args.length), where,
                    BootPlan.DefaultImages.from(System.getenv()), Path.of(args[2]));
            plan.ifPresent(p -> System.out.print(p.toShell()));
            return plan.isPresent() ? 0 : NEEDS_DEFAULT_IMAGES;
        }
        BootOptions options = BootOptions.parse(args);
        if (options.child()) {
            BootMeasurement m = recorded(options.jfr(), () -> JavaBoot.boot(options, clock, System.err, System.err));
            System.out.print(m.toProperties());
            return m.clean ? 0 : 1;
        }
        PrintStream console = options.json() ? System.err : System.out;
        String cmdline = options.commandLine().equals(MicroVmConfig.DEFAULT_COMMAND_LINE) ? ""
                : ", command line \"" + (options.commandLine().length() > 100 ? options.commandLine().substring(0, 100) + "...\"" : options.commandLine() + "\"");
        System.err.printf(Locale.ROOT, "vmm boot: %s, %d MiB, %d vCPU%s, pre-fault %s%s%n", options.kernel(), options.memoryMib(),
                options.cpus(), options.cpus() == 1 ? "" : "s", options.preFault(), cmdline);
        Map<String, List<BootMeasurement>> results = new LinkedHashMap<>();
        results.put("java", new ArrayList<>());
        if (options.compareQemu()) {
            results.put("qemu", new ArrayList<>());
        }
        boolean inProcess = options.runs() == 1 && !options.compareQemu();
        if (!inProcess) {
            checkInputs(options); // a child JVM's bad input would only be a failed run
        }
        for (int run = 1; run <= options.runs(); run++) {
            PrintStream echo = run == 1 ? console : null;
            BootMeasurement java = inProcess ? recorded(options.jfr(), () -> JavaBoot.boot(options, clock, echo, System.err))
                    : bootInChildJvm(options, run == 1);
            record(results.get("java"), java, run, options);
            if (options.compareQemu()) {
                record(results.get("qemu"), QemuBoot.boot(options, echo), run, options);
            }
        }
        boolean clean = results.values().stream().flatMap(List::stream).allMatch(m -> m.clean);
        if (options.json()) {
            results.values().forEach(list -> {
                for (int i = 0; i < list.size(); i++) {
                    System.out.println(list.get(i).toJson(i + 1));
                }
            });
        } else {
            System.out.println();
            System.out.print(BootReport.table(results));
            BootMeasurement first = results.get("java").getFirst();
            long[] facts = first.guestFacts();
            System.out.println("java: exit " + first.exit + "; pre-fault " + first.preFault + "; " + first.unhandledAccesses
                    + " port/MMIO accesses no device handled" + (first.unhandledTop.isEmpty() ? "" : " (" + first.unhandledTop + ")")
                    + (first.consoleBytesDropped == 0 ? "" : "; " + first.consoleBytesDropped + " console bytes dropped (the terminal fell behind)")
                    + (facts == null ? "; the init's marker line never came"
                    : "; the guest saw " + facts[0] + " CPU" + (facts[0] == 1 ? "" : "s") + " and " + (facts[2] >> 20) + " MiB of RAM"));
            if (options.compareQemu()) {
                System.out.println("qemu: " + results.get("qemu").getFirst().exit
                        + "; its boot-complete is the init's marker line, printed just before the signal");
            }
            System.out.println("\"at\" rows count from the start of the process (JVM or QEMU); the others are the phase's own time.");
        }
        return clean ? 0 : 1;
    }

    /** Adds a run's measurement, says how it went, and warns when the guest saw another machine than it was given. */
    private static void record(List<BootMeasurement> results, BootMeasurement m, int run, BootOptions options) {
        m.configured(options.cpus(), options.memoryMib() << 20);
        String mismatch = m.mismatch();
        if (mismatch != null && results.stream().noneMatch(earlier -> mismatch.equals(earlier.mismatch()))) {
            System.err.println("vmm boot: warning (" + m.vmm + "): " + mismatch);
        }
        results.add(m);
        progress(run, options, m);
    }

    /** One line per boot when there are several (runs, or QEMU's after ours): it also tells whose console ends there. */
    private static void progress(int run, BootOptions options, BootMeasurement m) {
        int runs = options.runs();
        if (runs > 1 || options.compareQemu()) {
            Double complete = m.phases.get(BootMeasurement.Phase.BOOT_COMPLETE);
            System.err.printf(Locale.ROOT, "vmm boot: run %d/%d (%s): %s, exit %s%n", run, runs, m.vmm,
                    complete == null ? "no boot-complete" : String.format(Locale.ROOT, "boot-complete at %.1f ms", complete), m.exit);
        }
    }

    /** Runs {@code boot} under a Flight Recorder recording (JFR's "default" settings) written to {@code file}, if not null. */
    private static BootMeasurement recorded(Path file, Supplier<BootMeasurement> boot) {
        if (file == null) {
            return boot.get();
        }
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            recording.setDestination(file);
            recording.start();
            BootMeasurement m = boot.get();
            recording.stop(); // writes the file
            System.err.println("vmm boot: the Flight Recorder recording is in " + file + " (jfr print --categories VMM " + file + ")");
            return m;
        } catch (IOException | ParseException e) {
            throw new BootException("Could not record the boot with Flight Recorder in " + file + ": " + e.getMessage());
        }
    }

    /** Boots once in a fresh JVM with the same JVM options; its console is shown when {@code echo}. */
    private static BootMeasurement bootInChildJvm(BootOptions options, boolean echo) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BootLauncher.class.getName()));
        command.addAll(options.childArguments(echo)); // the first run, whose console is shown, is the one recorded
        Path log = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            if (echo) {
                builder.redirectError(ProcessBuilder.Redirect.INHERIT);
            } else {
                log = Files.createTempFile("vmm-boot-child", ".log");
                builder.redirectError(log.toFile());
            }
            Process child = builder.start();
            child.getOutputStream().close();
            String result = new String(child.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            child.waitFor();
            if (result.isBlank()) {
                BootMeasurement failed = new BootMeasurement("java");
                failed.exit = "the boot's JVM ended with status " + child.exitValue() + " and no result" + (log == null ? "" : tail(log));
                return failed;
            }
            return BootMeasurement.fromProperties(result);
        } catch (IOException e) {
            throw new BootException("Could not start a JVM for the boot (" + e.getMessage() + "): check that " + java + " runs.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BootException("Interrupted while waiting for a boot.");
        } finally {
            if (log != null) {
                log.toFile().delete();
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return lines.isEmpty() ? "" : ": " + String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
