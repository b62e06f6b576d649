// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.Capability;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmException;
import dev.vmm.core.Vm;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs the suite and writes what it found: JMH's JSON, a summary table (printed and written as
 * Markdown), a plot of the first-touch table, and the start-up benchmark's JSON (not JMH: fresh
 * processes, see {@link StartupBenchmark}). {@code ./vmm bench} starts this, in the sandbox
 * when the host has no /dev/kvm.
 *
 * <pre>BenchMain [--quick | --smoke] [--forks N] [--out DIR] [--only REGEX]</pre>
 */
public final class BenchMain {
    static final String STAGE2_BENCHMARK = "dev\\.vmm\\.bench\\.PreFaultBenchmark\\.stage2";
    /** VMs kept open to measure the resident memory each adds: enough to see past the page granularity. */
    private static final int OPEN_VMS = 200;
    static final String BENCHMARKS = "dev\\.vmm\\.bench\\.(FirstTouch|PreFault|HostMemory|IoctlOverhead|VmCycle|Startup|Restore|RestoreLatency)Benchmark";

    private BenchMain() {}

    /** Where a run leaves its files. */
    record Outputs(Path json, Path markdown, Path svg, Path startup) {
        static Outputs in(Path dir) {
            return new Outputs(dir.resolve("jmh-result.json"), dir.resolve("summary.md"), dir.resolve("summary.svg"),
                    dir.resolve("startup.json"));
        }
    }

    public static void main(String[] args) {
        Preset preset = Preset.FULL;
        Path out = Path.of("target", "bench");
        String only = BENCHMARKS;
        int forks = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> preset = Preset.QUICK;
                case "--smoke" -> preset = Preset.SMOKE;
                case "--out", "--only", "--forks" -> {
                    if (i + 1 == args.length) {
                        fail(2, args[i] + " needs a value.");
                    }
                    String value = args[++i];
                    switch (args[i - 1]) {
                        case "--out" -> out = Path.of(value);
                        case "--only" -> only = "dev\\.vmm\\.bench\\..*(" + value + ").*";
                        default -> forks = forkCount(value);
                    }
                }
                default -> fail(2, "Unknown argument '" + args[i] + "': use --quick, --smoke, --forks N, --out DIR or --only REGEX.");
            }
        }
        if (forks >= 0) {
            preset = preset.withForks(forks);
        }
        try (Kvm kvm = Kvm.open()) {
            kvm.apiVersion();
        } catch (KvmException e) {
            fail(1, "No usable KVM here (" + e.getMessage() + "): run the benchmarks through ./vmm bench, which uses the sandbox.");
        }
        try {
            run(preset, only, out);
            Outputs outputs = Outputs.in(out);
            System.out.println();
            System.out.println(Files.readString(outputs.markdown()));
            System.out.println("Written: " + outputs.json() + ", " + outputs.markdown() + ", " + outputs.svg()
                    + (Files.exists(outputs.startup()) ? ", " + outputs.startup() : ""));
        } catch (IllegalArgumentException e) {
            fail(2, e.getMessage());
        } catch (RunnerException | IOException | InterruptedException | RuntimeException e) {
            fail(1, "The benchmark run failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    /** Runs the preset's benchmarks matching {@code only}, the C programs, and writes the outputs into {@code dir}. */
    static Summary run(Preset preset, String only, Path dir) throws RunnerException, IOException, InterruptedException {
        Files.createDirectories(dir);
        Outputs outputs = Outputs.in(dir);
        Map<String, List<String>> params = new HashMap<>(preset.params());
        List<String> excludes = new ArrayList<>();
        boolean stage2 = stage2Supported();
        if (!stage2) {
            System.out.println("# This kernel's VMs have no KVM_PRE_FAULT_MEMORY: measuring NONE and POPULATE only"
                    + " (STAGE2 and FULL need Linux 6.10+ with nested/extended paging, e.g. the sandbox's 6.12 profile).");
            params.put("policy", List.of("NONE", "POPULATE"));
            params.put("restorePolicy", List.of("NONE", "POPULATE", "WORKING_SET"));
            excludes.add(STAGE2_BENCHMARK);
        }
        List<Combinations.Combination> expected = Combinations.expected(only, excludes, params);
        boolean startup = StartupBenchmark.selectedBy(only) && StartupBenchmark.runsIn(preset);
        if (expected.isEmpty() && !startup) {
            String names = Combinations.expected(BENCHMARKS, List.of(), Map.of()).stream()
                    .map(Combinations.Combination::benchmark).distinct().collect(Collectors.joining(", "));
            throw new IllegalArgumentException("--only matches no benchmark here: pick a part of one of " + names
                    + " or StartupBenchmark (not in the smoke check inside the sandbox).");
        }
        // JMH refuses a run that matches none of its benchmarks: --only Startup runs none.
        List<RunResult> results = new ArrayList<>();
        if (!expected.isEmpty()) {
            results.addAll(jmh(preset, dir, options -> {
                options.include(only);
                excludes.forEach(options::exclude);
                params.forEach((name, values) -> options.param(name, values.toArray(String[]::new)));
            }));
        }
        // A forked JVM may die under the sandbox's emulator (see forkFlags): one more try for each
        // combination left without a result.
        List<Combinations.Combination> missing = Combinations.missing(expected, measurements(results));
        if (!missing.isEmpty()) {
            System.out.println("# " + missing.size() + " combinations have no result: running each once more");
            for (Combinations.Combination combination : missing) {
                results.addAll(jmh(preset, dir, options -> {
                    options.include("^dev\\.vmm\\.bench\\." + Pattern.quote(combination.benchmark()) + "$");
                    combination.params().forEach(options::param);
                }));
            }
        }
        try (PrintStream json = new PrintStream(Files.newOutputStream(outputs.json()), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(results);
        }
        List<Measurement> measurements = measurements(results);
        References references = references(preset, dir, measurements);

        Optional<Startup> startupResult = Optional.empty();
        if (startup) {
            startupResult = Optional.of(StartupBenchmark.run(preset, dir));
            Files.writeString(outputs.startup(), startupResult.get().json());
        } else {
            Files.deleteIfExists(outputs.startup()); // an earlier run's must not pass for this one's
        }
        Summary summary = new Summary(measurements, references, startupResult, Combinations.missing(expected, measurements));
        String environment = Environment.describe(preset, stage2);
        Files.writeString(outputs.markdown(), summary.markdown(environment));
        Files.writeString(outputs.svg(), SummaryPlot.svg(summary.firstTouch(), Environment.plotTitle(preset)));
        return summary;
    }

    /** Runs the C programs, and measures the memory per open VM, for the benchmarks that were run. */
    private static References references(Preset preset, Path dir, List<Measurement> measurements) throws IOException, InterruptedException {
        Optional<CProgram.Result> ioctl = Optional.empty(), cycle = Optional.empty(), create = Optional.empty();
        OptionalDouble cKib = OptionalDouble.empty(), javaKib = OptionalDouble.empty();
        int rounds = preset.cRounds();
        if (measurements.stream().anyMatch(m -> m.benchmark().startsWith(Summary.IOCTL))) {
            System.out.println("# C loop: KVM_CHECK_EXTENSION, " + rounds + " rounds of " + preset.cCalls() + " calls");
            ioctl = Optional.of(CProgram.measure(CProgram.compile(dir, "ioctl_loop"), List.of(Long.toString(preset.cCalls()),
                    Integer.toString(rounds)), rounds));
        }
        if (measurements.stream().anyMatch(m -> m.benchmark().startsWith(Summary.VM_CYCLE))) {
            System.out.println("# C VM cycle: " + rounds + " rounds of " + preset.vmCycles() + " cycles, then of as many VM creations;"
                    + " resident memory of " + OPEN_VMS + " open VMs, in C and in Java");
            Path vmCycle = CProgram.compile(dir, "vm_cycle");
            List<String> perRound = List.of(Integer.toString(preset.vmCycles()), Integer.toString(rounds));
            cycle = Optional.of(CProgram.measure(vmCycle, concat("cycle", perRound), rounds));
            create = Optional.of(CProgram.measure(vmCycle, concat("create", perRound), rounds));
            cKib = OptionalDouble.of(CProgram.measure(vmCycle, List.of("rss", Integer.toString(OPEN_VMS), "1"), 1).mean());
            javaKib = OptionalDouble.of(VmCycleBenchmark.kibPerOpenVm(OPEN_VMS));
        }
        return new References(ioctl, cycle, create, cKib, javaKib);
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** One JMH run of what {@code select} chooses, with the preset's settings. */
    private static Collection<RunResult> jmh(Preset preset, Path dir, Consumer<ChainedOptionsBuilder> select) throws RunnerException, IOException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .forks(preset.forks())
                .warmupIterations(preset.warmups())
                .measurementIterations(preset.iterations())
                .warmupTime(TimeValue.milliseconds((long) (preset.seconds() * 1000)))
                .measurementTime(TimeValue.milliseconds((long) (preset.seconds() * 1000)))
                // Replaces the runner's own flags, which forks would otherwise inherit.
                .jvmArgs(forkFlags())
                // A failed combination (an exception, or a forked JVM that died) must not cost the rest of a long run.
                .shouldFailOnError(false);
        if (preset == Preset.SMOKE) {
            options.output(dir.resolve("jmh-output.txt").toString()); // a check, not a measurement: keep the log short
        }
        select.accept(options);
        // JMH writes no result file unless asked; the merged JSON is written by run().
        Path part = Files.createTempFile(dir, "jmh-part", ".json");
        try {
            return new Runner(options.result(part.toString()).resultFormat(ResultFormatType.JSON).build()).run();
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * In the sandbox, forked JVMs died often (2 of the first 6 of one run: SIGSEGV at the entry of a C1-compiled method:
     * QEMU's multi-threaded TCG mishandles the code patching of tiered compilation's C1-to-C2
     * hand-over). Without tiered compilation there is no such hand-over; the code measured is C2's
     * either way, only warm-up takes longer.
     */
    static String[] forkFlags() {
        List<String> flags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        Environment.sandboxProfile().ifPresent(profile -> flags.add("-XX:-TieredCompilation"));
        return flags.toArray(String[]::new);
    }

    private static List<Measurement> measurements(Collection<RunResult> results) {
        return results.stream().map(BenchMain::measurement).toList();
    }

    /** Whether a VM here can pre-fault its stage-2 tables (the probe on the VM fd). */
    static boolean stage2Supported() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            return vm.checkExtension(Capability.PRE_FAULT_MEMORY) > 0;
        }
    }

    private static int forkCount(String value) {
        try {
            int forks = Integer.parseInt(value);
            if (forks >= 1 && forks <= 100) {
                return forks;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        fail(2, "--forks needs a whole number from 1 to 100, not '" + value + "'.");
        return 0;
    }

    private static Measurement measurement(RunResult result) {
        String full = result.getParams().getBenchmark();
        String[] parts = full.split("\\.");
        Map<String, String> params = new HashMap<>();
        for (String key : result.getParams().getParamsKeys()) {
            params.put(key, result.getParams().getParam(key));
        }
        var primary = result.getPrimaryResult();
        return new Measurement(parts[parts.length - 2] + "." + parts[parts.length - 1], params,
                primary.getScore(), primary.getScoreError(), primary.getSampleCount(), primary.getScoreUnit());
    }

    private static void fail(int status, String message) {
        System.err.println("vmm bench: " + message);
        System.exit(status);
    }

}
