// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Intel's ACPI compiler and disassembler, iasl (Debian's acpica-tools), run as an oracle that
 * shares no code with ours: it compiles ASL and data-table source to bytes, and disassembles
 * tables back to text. Each call works in a fresh temporary directory.
 */
final class Iasl {
    /** The header of a DefinitionBlock that matches ours, so only the body differs between compilers. */
    static final String DEFINITION_BLOCK = "DefinitionBlock (\"\", \"DSDT\", 2, \"VMMJAV\", \"VMMJAVA \", 1)";
    /** Every ACPI table starts with a 36-byte header (ACPI 6.3, 5.2.6). */
    private static final int TABLE_HEADER = 36;
    private static final long TIMEOUT_SECONDS = 60;

    private Iasl() {}

    /** Whether an executable iasl is on the PATH. */
    static boolean available() {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "iasl")));
    }

    /**
     * Compiles {@code body}, the inside of a DefinitionBlock, and returns the AML after the 36-byte
     * table header. Named references stay as written ({@code -on}: no shortening of {@code \_SB}
     * at the root), integers are optimized as usual (Zero, One, Ones, the shortest prefix).
     */
    static byte[] compileBody(String body) {
        byte[] table = compile(DEFINITION_BLOCK + "\n{\n" + body + "\n}\n", "dsdt.asl", "dsdt.aml", "-on");
        return Arrays.copyOfRange(table, TABLE_HEADER, table.length);
    }

    /** Compiles data-table source ({@code [0004] Signature : "RSD PTR "} lines) to the table's bytes. */
    static byte[] compileDataTable(String source) {
        return compile(source, "table.dsl", "table.aml");
    }

    /** Disassembles {@code table} ({@code iasl -d}) and returns the ASL or data-table text, after iasl's own messages. */
    static Disassembly disassemble(byte[] table) {
        Path dir = temporaryDirectory();
        try {
            Files.write(dir.resolve("table.dat"), table);
            String log = run(dir, "-d", "table.dat");
            Path dsl = dir.resolve("table.dsl");
            if (!Files.exists(dsl)) {
                throw new AssertionError("iasl -d wrote no disassembly:\n" + log);
            }
            return new Disassembly(log, Files.readString(dsl, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    /** What {@code iasl -d} printed, and the text it wrote. */
    record Disassembly(String log, String text) {
        @Override
        public String toString() {
            return log + "\n" + text;
        }
    }

    private static byte[] compile(String source, String sourceName, String outputName, String... options) {
        Path dir = temporaryDirectory();
        try {
            Files.writeString(dir.resolve(sourceName), source, StandardCharsets.US_ASCII);
            List<String> args = new ArrayList<>(List.of(options));
            args.add(sourceName);
            String log = run(dir, args.toArray(String[]::new));
            Path output = dir.resolve(outputName);
            if (!Files.exists(output)) {
                throw new AssertionError("iasl compiled nothing from:\n" + source + "\n" + log);
            }
            return Files.readAllBytes(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    /** Runs iasl in {@code dir}; its output, or an AssertionError with it when iasl fails. */
    private static String run(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("iasl", "-vs"));
        command.addAll(List.of(args));
        Path log = dir.resolve("iasl.log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " took more than " + TIMEOUT_SECONDS + " s");
            }
            String output = Files.readString(log, StandardCharsets.ISO_8859_1);
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n" + output);
            }
            return output;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while iasl ran", e);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("vmm-iasl");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is no test failure
        }
    }
}
