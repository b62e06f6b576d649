// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C programs the Java benchmarks are compared with, compiled with gcc from the bundled sources
 * and run as child processes, in the same run and on the same kernel: ioctl_loop.c for
 * {@link IoctlOverheadBenchmark}, vm_cycle.c for {@link VmCycleBenchmark}. Each prints one number
 * per timed round.
 */
final class CProgram {
    private CProgram() {}

    /** The number each timed round printed (a mean time per operation), and their mean. */
    record Result(List<Double> rounds, double mean, double error) {
        static Result of(List<Double> rounds) {
            double mean = rounds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double spread = rounds.stream().mapToDouble(r -> Math.abs(r - mean)).max().orElse(0);
            return new Result(List.copyOf(rounds), mean, spread);
        }
    }

    /** Compiles the bundled {@code name}.c into {@code dir} with gcc -O2. */
    static Path compile(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path source = dir.resolve(name + ".c");
        try (InputStream in = CProgram.class.getResourceAsStream(name + ".c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = dir.resolve(name);
        String output = run(List.of("gcc", "-O2", "-o", binary.toString(), source.toString()), 120);
        if (!Files.isExecutable(binary)) {
            throw new IOException("gcc did not produce " + binary + ": " + output.strip());
        }
        return binary;
    }

    /** Runs {@code binary} with {@code args}, which must print {@code rounds} numbers. */
    static Result measure(Path binary, List<String> args, int rounds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(args);
        String output = run(command, 600);
        List<Double> values = new ArrayList<>();
        for (String line : output.strip().split("\n")) {
            try {
                values.add(Double.parseDouble(line.strip()));
            } catch (NumberFormatException e) {
                throw new IOException(binary + " printed '" + line + "' where a number belongs.");
            }
        }
        if (values.size() != rounds) {
            throw new IOException(binary + " printed " + values.size() + " rounds instead of " + rounds + ": " + output.strip());
        }
        return Result.of(values);
    }

    private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("Cannot start " + command.getFirst() + " (is gcc installed?): " + e.getMessage());
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s.");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output.strip());
        }
        return output;
    }
}
