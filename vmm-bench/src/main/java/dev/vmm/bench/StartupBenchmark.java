// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.Kvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Start-up, not JMH: how long a fresh process takes from its start to its first KVM_RUN (and to
 * the guest's HLT exit): {@link FirstRun} in a fresh JVM without and with a JDK 25 AOT cache, and
 * first_run.c; and a fresh JVM that restores a snapshot ({@link FirstRestore}). The parent reads
 * System.nanoTime() just before starting a child, the child prints the same clock's times. Each run starts one child of every variant, the variants taking turns,
 * so that drift on a busy machine hits all alike.
 */
final class StartupBenchmark {
    /** The name --only is matched against, as JMH matches its benchmarks' names. */
    static final String NAME = "dev.vmm.bench.StartupBenchmark";
    /** The launcher's JVM options (scripts/lib.sh, LAUNCHER_JVM_OPTS): a program that starts KVM quickly. */
    static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /** A child's time limit; a JVM under the sandbox's emulation starts tens of times slower. */
    private static final int CHILD_SECONDS = Environment.sandboxProfile().isPresent() ? 300 : 60;
    /** Training runs the program, then a second JVM that writes the cache: slow under emulation. */
    private static final int TRAINING_SECONDS = 600;

    /** The children measured; {@code goalMs}: issue 16's goal on the host profile (NaN: none). */
    enum Variant {
        JAVA("Java, no AOT cache", 150), JAVA_AOT("Java, AOT cache", 60), C("C (gcc -O2)", Double.NaN);

        final String label;
        final double goalMs;

        Variant(String label, double goalMs) {
            this.label = label;
            this.goalMs = goalMs;
        }
    }

    private StartupBenchmark() {}

    /** Whether {@code only} (BenchMain's regular expression) selects this benchmark. */
    static boolean selectedBy(String only) {
        return Pattern.compile(only).matcher(NAME).find();
    }

    /**
     * Whether {@code preset} runs it: the smoke check only on a machine's own KVM, where it takes
     * seconds; under the sandbox's emulation it would make the test run minutes longer.
     */
    static boolean runsIn(Preset preset) {
        return preset != Preset.SMOKE || Environment.sandboxProfile().isEmpty();
    }

    /** Trains the AOT cache, then runs each variant {@code preset.startupRuns()} times; leaves its files in {@code dir}. */
    static Startup run(Preset preset, Path outputs) throws IOException, InterruptedException {
        Path dir = outputs.toAbsolutePath(); // the children's paths and the messages read alike from anywhere
        Path c = CProgram.compile(dir, "first_run");
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        java.addAll(JVM_OPTIONS);
        List<String> program = List.of("-cp", ChildClassPath.in(dir), FirstRun.class.getName());
        Path cache = dir.resolve("startup.aot");
        train(concat(java, List.of("-XX:AOTCacheOutput=" + cache), program), cache, dir.resolve("startup-aot-training.log"));

        Map<Variant, List<String>> commands = new EnumMap<>(Variant.class);
        commands.put(Variant.JAVA, concat(java, List.of(), program));
        // AOTMode=on: a cache the JVM cannot use is an error, not a silent run without it.
        commands.put(Variant.JAVA_AOT, concat(java, List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on"), program));
        commands.put(Variant.C, List.of(c.toString()));
        Map<Variant, List<FirstRunTimes>> times = new EnumMap<>(Variant.class);
        Variant[] variants = Variant.values();
        System.out.println("# Start-up: fresh processes to their first KVM_RUN, " + preset.startupRuns() + " per variant, the variants taking turns");
        for (int run = 0; run < preset.startupRuns(); run++) {
            for (int i = 0; i < variants.length; i++) {
                Variant v = variants[(run + i) % variants.length]; // none always first after another
                times.computeIfAbsent(v, k -> new ArrayList<>()).add(runOnce(v.label, commands.get(v), dir));
            }
        }
        List<Startup.Variant> results = new ArrayList<>();
        for (Variant v : variants) {
            results.add(variant(v.label, Double.isNaN(v.goalMs) ? OptionalDouble.empty() : OptionalDouble.of(v.goalMs), times.get(v)));
        }
        results.addAll(restores(preset, java, dir));
        return new Startup(results);
    }

    /**
     * Restore from a new process: {@link FirstRestore} of a snapshot of each size the preset gives
     * the restore benchmarks ({@link SnapshotGuest}, its files in the page cache), without an AOT cache.
     */
    private static List<Startup.Variant> restores(Preset preset, List<String> java, Path dir) throws IOException, InterruptedException {
        List<Startup.Variant> results = new ArrayList<>();
        for (String mib : preset.params().getOrDefault("guestMiB", List.of("256", "1024"))) {
            String label = "Java, restore of a " + Summary.mib(Integer.parseInt(mib)) + " snapshot";
            System.out.println("# Start-up: " + label + ", " + preset.startupRuns() + " fresh processes");
            List<FirstRunTimes> times = new ArrayList<>();
            try (Kvm kvm = Kvm.open(); SnapshotGuest snapshot = SnapshotGuest.save(kvm, Integer.parseInt(mib), 1, TouchGuest.Access.WRITE)) {
                List<String> command = concat(java, List.of("-cp", ChildClassPath.in(dir), FirstRestore.class.getName()),
                        List.of(snapshot.directory().toString()));
                for (int run = 0; run < preset.startupRuns(); run++) {
                    times.add(runOnce(label, command, dir));
                }
            }
            results.add(variant(label, OptionalDouble.empty(), times));
        }
        return results;
    }

    private static Startup.Variant variant(String label, OptionalDouble goalMs, List<FirstRunTimes> times) {
        return new Startup.Variant(label, goalMs, times.stream().map(FirstRunTimes::toFirstRunMs).toList(),
                times.stream().map(FirstRunTimes::toHltMs).toList());
    }

    /** One run of FirstRun with -XX:AOTCacheOutput, which leaves the cache at its exit. */
    private static void train(List<String> command, Path cache, Path log) throws IOException, InterruptedException {
        Files.deleteIfExists(cache); // a stale cache must not pass for this run's
        Process training = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await(training, "The AOT cache's training run", TRAINING_SECONDS, log);
        // The JVM exits with 0 even when it could not write the cache: only its log says why.
        if (!Files.isRegularFile(cache)) {
            throw new IOException("The AOT cache's training run wrote no " + cache + ": " + telling(log) + " (its output is in " + log + ").");
        }
    }

    private static FirstRunTimes runOnce(String label, List<String> command, Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("startup-child.out"), err = dir.resolve("startup-child.err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        long start = System.nanoTime();
        Process child = builder.start();
        String what = "The start-up child '" + label + "'";
        await(child, what, CHILD_SECONDS, err);
        return FirstRunTimes.parse(Files.readString(out), start, what);
    }

    /** Waits for {@code process}, stopped after {@code seconds}; a failure is one sentence with its last words. */
    private static void await(Process process, String what, int seconds, Path log) throws IOException, InterruptedException {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IOException(what + " did not finish within " + seconds + " s and was stopped (its output is in " + log + ").");
            }
            if (process.exitValue() != 0) {
                throw new IOException(what + " failed (exit " + process.exitValue() + "): " + telling(log) + " (its output is in " + log + ").");
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * The line of {@code log} that best says what went wrong: the first error or exception, else the
     * last line; FirstRun's own lines (numbers) say nothing.
     */
    private static String telling(Path log) throws IOException {
        List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.isBlank() && !l.strip().matches("[0-9]+")).toList();
        return lines.stream().filter(l -> l.contains("[error]") || l.contains("Exception") || l.contains("Error")).findFirst()
                .or(() -> lines.stream().reduce((a, b) -> b)).map(l -> "'" + l.strip() + "'").orElse("it gave no reason");
    }

    private static List<String> concat(List<String> first, List<String> second, List<String> third) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        all.addAll(third);
        return all;
    }
}
