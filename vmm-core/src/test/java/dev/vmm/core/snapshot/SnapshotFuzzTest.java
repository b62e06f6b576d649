// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated state files fed to the reader: a SnapshotException sentence is the only acceptable
 * failure, and no input makes it allocate much beyond the file's own size. Inputs starting with 'R'
 * get a body length and CRC32C that fit after the mutation, so that the record parser behind the checksum is reached;
 * the others test the header and checksum checks.
 */
@Tag("fuzz")
class SnapshotFuzzTest {
    /** A decode may copy the file's records once more into typed values; anything far above is unbounded. */
    private static final long ALLOCATION_BOUND = 4L << 20;

    @Test
    void anyStateFileIsReadOrRefusedWithOneSentence() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] parsed = {0, 0, 0}; // decoded, resealed, refused by the record parser behind the checksum
        Fuzzer.Result result = Fuzzer.named("snapshot-state").seeds(seeds()).inputs(20_000).maxLength(64 << 10).run(input -> {
            byte[] file = input;
            if (input.length > 1 && input[0] == 'R') {
                file = java.util.Arrays.copyOfRange(input, 1, input.length);
                if (file.length >= SnapshotFile.HEADER_SIZE + SnapshotFile.TRAILER_SIZE) {
                    // Length and checksum made to fit: inserted and removed bytes then reach the records.
                    java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(16, file.length - 28L);
                    SnapshotFileTest.reseal(file);
                }
                parsed[1]++;
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                SnapshotFile.decode("fuzz", file);
                parsed[0]++;
            } catch (SnapshotException e) {
                SnapshotFileTest.assertOneSentence(e);
                if (e.getMessage().contains(" is corrupt: ") && !e.getMessage().contains("CRC32C") && !e.getMessage().contains("after its checksum")) {
                    parsed[2]++;
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < ALLOCATION_BOUND + 8L * file.length, allocated + " bytes allocated for a file of " + file.length);
        });
        System.out.println("snapshot-state: " + parsed[0] + " of " + result.executed() + " inputs decoded, " + parsed[1] + " resealed, "
                + parsed[2] + " refused by the record parser");
        // Refusing everything at the checksum would pass too: the parser behind it must be reached.
        assertTrue(parsed[0] >= 50 && parsed[2] >= 1000, "decoded " + parsed[0] + ", refused by the parser " + parsed[2]);
    }

    static List<byte[]> seeds() {
        byte[] one = SnapshotFile.encode(SampleState.of(1, true));
        byte[] two = SnapshotFile.encode(SampleState.of(2, false));
        return List.of(one, two, resealed(one), resealed(two));
    }

    /** {@code file} behind an 'R': the fuzz targets give such an input a body length and CRC32C that fit. */
    static byte[] resealed(byte[] file) {
        byte[] r = new byte[file.length + 1];
        r[0] = 'R';
        System.arraycopy(file, 0, r, 1, file.length);
        return r;
    }
}
