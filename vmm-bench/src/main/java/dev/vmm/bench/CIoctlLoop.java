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
 * The C loop that {@link IoctlOverheadBenchmark} is compared with: compiled with gcc from the
 * bundled ioctl_loop.c and run as a child process, in the same run and on the same kernel.
 */
final class CIoctlLoop {
    private CIoctlLoop() {}

    /** Mean nanoseconds per call of each timed round, and their mean. */
    record Result(List<Double> roundsNs, double meanNs, double errorNs) {
        static Result of(List<Double> rounds) {
            double mean = rounds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double spread = rounds.stream().mapToDouble(r -> Math.abs(r - mean)).max().orElse(0);
            return new Result(List.copyOf(rounds), mean, spread);
        }
    }

    /** Compiles the loop into {@code dir} with gcc -O2. */
    static Path compile(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path source = dir.resolve("ioctl_loop.c");
        try (InputStream in = CIoctlLoop.class.getResourceAsStream("ioctl_loop.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = dir.resolve("ioctl_loop");
        String output = run(List.of("gcc", "-O2", "-o", binary.toString(), source.toString()), 120);
        if (!Files.isExecutable(binary)) {
            throw new IOException("gcc did not produce " + binary + ": " + output.strip());
        }
        return binary;
    }

    /** Runs {@code rounds} rounds of {@code calls} ioctls. */
    static Result measure(Path binary, long calls, int rounds) throws IOException, InterruptedException {
        String output = run(List.of(binary.toString(), Long.toString(calls), Integer.toString(rounds)), 600);
        List<Double> values = new ArrayList<>();
        for (String line : output.strip().split("\n")) {
            try {
                values.add(Double.parseDouble(line.strip()));
            } catch (NumberFormatException e) {
                throw new IOException(binary + " printed '" + line + "' where a number of nanoseconds belongs.");
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
