// SPDX-License-Identifier: Apache-2.0
package dev.vmm.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A seeded mutation fuzzer for JUnit: replays every regression file kept for the target, then the
 * seeds, then stacked mutations of them (bit flips, boundary integers, inserted, removed and
 * repeated ranges, splices). A target throws only for a defect: it catches the exceptions that are
 * the right answer to bad input. The first defect found fails the test and leaves its input under
 * {@code target/fuzz-crashes/NAME/}, to be kept in {@code src/test/resources/fuzz/NAME/}.
 *
 * <p>Why our own and not Jazzer: the targets are parsers and device state machines small enough
 * that boundary values and structure-aware seeds find what coverage guidance would, the run is
 * deterministic (a fixed seed and input budget in {@code ./vmm test}), and it needs no native agent
 * or bytecode instrumentation on JDK 25.
 *
 * <p>{@code -Dvmm.fuzz.seconds=N} (what {@code ./vmm fuzz} sets) runs for N seconds from a fresh
 * seed instead, printed so that a run can be repeated with {@code -Dvmm.fuzz.seed}.
 */
public final class Fuzzer {
    /** Code under test; throws only for a defect. */
    @FunctionalInterface
    public interface Target {
        void run(byte[] input) throws Exception;
    }

    private static final long[] INTERESTING = {
            0, 1, -1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffffL, 0x80000000L, 0xffffffffL,
            0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, 0x7ffffffffffff000L, 0xffffffffffffff00L, 4096, 4095, 1 << 20};

    private final String name;
    private final List<byte[]> seeds = new ArrayList<>();
    private int inputs = 20_000;
    private int maxLength = 1 << 16;

    private Fuzzer(String name) {
        this.name = name;
    }

    /** A fuzzer for the target called {@code name}, which names its regression folder too. */
    public static Fuzzer named(String name) {
        return new Fuzzer(name);
    }

    public Fuzzer seed(byte[] seed) {
        seeds.add(seed.clone());
        return this;
    }

    public Fuzzer seeds(List<byte[]> more) {
        more.forEach(this::seed);
        return this;
    }

    /** How many mutated inputs a fixed-budget run tries (the default run in {@code ./vmm test}). */
    public Fuzzer inputs(int count) {
        this.inputs = count;
        return this;
    }

    /** The longest input the mutations build. */
    public Fuzzer maxLength(int bytes) {
        this.maxLength = bytes;
        return this;
    }

    /** Runs the regression files, the seeds, then mutations; fails on the first defect. */
    public Result run(Target target) {
        long seconds = Long.getLong("vmm.fuzz.seconds", 0);
        long seed = Long.getLong("vmm.fuzz.seed", seconds > 0 ? System.nanoTime() : 0x5eed);
        Random random = new Random(seed);
        List<byte[]> corpus = new ArrayList<>(regressions());
        int regressionCount = corpus.size();
        corpus.addAll(seeds);
        if (corpus.isEmpty()) {
            corpus.add(new byte[0]);
        }
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        long executed = 0;
        for (byte[] input : corpus) {
            execute(target, input, seed);
            executed++;
        }
        for (long i = 0; seconds > 0 ? System.nanoTime() < deadline : i < inputs; i++) {
            byte[] input = mutate(random, corpus.get(random.nextInt(corpus.size())), corpus);
            execute(target, input, seed);
            executed++;
            if (random.nextInt(64) == 0 && corpus.size() < 1024) {
                corpus.add(input); // keep some mutants as parents: mutations then stack over generations
            }
        }
        Result result = new Result(name, executed, regressionCount, seed, System.nanoTime() - start);
        System.out.println(result);
        return result;
    }

    /** What a run did: inputs executed, regression files replayed, its seed, its time. */
    public record Result(String target, long executed, int regressions, long seed, long nanos) {
        public double perSecond() {
            return executed / (nanos / 1e9);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "fuzz %s: %d inputs (%d regression files) in %.1f s, %.0f/s, seed %d",
                    target, executed, regressions, nanos / 1e9, perSecond(), seed);
        }
    }

    private void execute(Target target, byte[] input, long seed) {
        try {
            target.run(input);
        } catch (Throwable defect) {
            Path saved = save(input);
            throw new AssertionError("Fuzz target " + name + " failed on an input (seed " + seed + ") saved to " + saved
                    + ": fix the defect, then copy the file to src/test/resources/fuzz/" + name + "/ as a regression case.", defect);
        }
    }

    private byte[] mutate(Random random, byte[] parent, List<byte[]> corpus) {
        byte[] data = parent;
        int rounds = 1 + random.nextInt(8);
        for (int round = 0; round < rounds; round++) {
            data = mutateOnce(random, data, corpus);
        }
        return data.length > maxLength ? java.util.Arrays.copyOf(data, maxLength) : data;
    }

    private static byte[] mutateOnce(Random random, byte[] data, List<byte[]> corpus) {
        if (data.length == 0) {
            byte[] fresh = new byte[1 + random.nextInt(64)];
            random.nextBytes(fresh);
            return fresh;
        }
        byte[] out = data.clone();
        int at = random.nextInt(out.length);
        switch (random.nextInt(8)) {
            case 0 -> out[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> out[at] = (byte) random.nextInt(256);
            case 2 -> { // a boundary value of 1, 2, 4 or 8 bytes, little-endian
                long value = INTERESTING[random.nextInt(INTERESTING.length)];
                int width = 1 << random.nextInt(4);
                for (int i = 0; i < width && at + i < out.length; i++) {
                    out[at + i] = (byte) (value >>> (8 * i));
                }
            }
            case 3 -> { // remove a range
                int length = 1 + random.nextInt(Math.min(out.length - at, 256));
                byte[] shorter = new byte[out.length - length];
                System.arraycopy(out, 0, shorter, 0, at);
                System.arraycopy(out, at + length, shorter, at, out.length - at - length);
                return shorter;
            }
            case 4 -> { // insert random bytes
                byte[] inserted = new byte[1 + random.nextInt(64)];
                random.nextBytes(inserted);
                return insert(out, at, inserted);
            }
            case 5 -> { // repeat a range of the input in place
                int length = 1 + random.nextInt(Math.min(out.length - at, 64));
                return insert(out, at, java.util.Arrays.copyOfRange(out, at, at + length));
            }
            case 6 -> { // splice: the head of this input, the tail of another
                byte[] other = corpus.get(random.nextInt(corpus.size()));
                int from = other.length == 0 ? 0 : random.nextInt(other.length);
                byte[] spliced = java.util.Arrays.copyOf(out, at + other.length - from);
                System.arraycopy(other, from, spliced, at, other.length - from);
                return spliced;
            }
            default -> { // small arithmetic on a byte
                out[at] += (byte) (random.nextInt(33) - 16);
            }
        }
        return out;
    }

    private static byte[] insert(byte[] data, int at, byte[] inserted) {
        byte[] longer = new byte[data.length + inserted.length];
        System.arraycopy(data, 0, longer, 0, at);
        System.arraycopy(inserted, 0, longer, at, inserted.length);
        System.arraycopy(data, at, longer, at + inserted.length, data.length - at);
        return longer;
    }

    /** The kept crashing inputs: test resources under fuzz/NAME/, on the class path. */
    private List<byte[]> regressions() {
        URL folder = Thread.currentThread().getContextClassLoader().getResource("fuzz/" + name);
        if (folder == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
            List<byte[]> inputs = new ArrayList<>();
            for (Path file : files.sorted().toList()) {
                inputs.add(Files.readAllBytes(file));
            }
            return inputs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path save(byte[] input) {
        try {
            Path dir = Path.of("target", "fuzz-crashes", name);
            Files.createDirectories(dir);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(input);
            Path file = dir.resolve("crash-" + HexFormat.of().formatHex(digest, 0, 8));
            Files.write(file, input);
            return file.toAbsolutePath();
        } catch (IOException | NoSuchAlgorithmException e) {
            return Path.of("(not saved: " + e.getMessage() + ")");
        }
    }
}
