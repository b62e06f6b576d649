// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated working set files fed to the reader: a SnapshotException sentence is the only
 * acceptable failure, a file read is well formed (ranges whole pages, increasing, apart), and no
 * input makes it allocate much beyond what its size allows. Inputs starting with 'R' get a body
 * length and CRC32C that fit after the mutation, so that the range parser is reached.
 */
@Tag("fuzz")
class WorkingSetFuzzTest {
    @Test
    void anyWorkingSetFileIsReadOrRefusedWithOneSentence() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] counts = {0, 0}; // read, refused behind the checksum
        Fuzzer.Result result = Fuzzer.named("working-set").seeds(seeds()).inputs(20_000).maxLength(4 << 10).run(input -> {
            byte[] file = input;
            if (input.length > 1 && input[0] == 'R') {
                file = Arrays.copyOfRange(input, 1, input.length);
                if (file.length >= FramedFile.HEADER_SIZE + FramedFile.TRAILER_SIZE) {
                    ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(16, file.length - 28L);
                    SnapshotFileTest.reseal(file);
                }
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                WorkingSet set = WorkingSet.decode("fuzz", file);
                counts[0]++;
                long previousEnd = -1;
                for (var range : set.ranges()) {
                    assertTrue(range.start().value() > previousEnd && range.size() > 0 && range.size() % 4096 == 0, set.ranges().toString());
                    previousEnd = range.end().value();
                }
                for (var written : set.written()) {
                    assertTrue(set.ranges().stream().anyMatch(r -> r.start().compareTo(written.start()) <= 0
                            && written.end().compareTo(r.end()) <= 0), set.toString());
                }
            } catch (SnapshotException e) {
                SnapshotFileTest.assertOneSentence(e);
                if (e.getMessage().contains(" is corrupt: ") && !e.getMessage().contains("CRC32C") && !e.getMessage().contains("after its checksum")) {
                    counts[1]++;
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < (1 << 20) + 16L * file.length, allocated + " bytes allocated for a file of " + file.length);
        });
        System.out.println("working-set: " + counts[0] + " of " + result.executed() + " inputs read, " + counts[1] + " refused behind the checksum");
        assertTrue(counts[0] >= 10 && counts[1] >= 500, "read " + counts[0] + ", refused behind the checksum " + counts[1]);
    }

    private static List<byte[]> seeds() {
        byte[] one = WorkingSet.of(List.of(WorkingSetTest.range(0, 1)), List.of()).encode();
        byte[] many = WorkingSet.of(List.of(WorkingSetTest.range(0, 3), WorkingSetTest.range(16, 1), WorkingSetTest.range(40, 200),
                WorkingSetTest.range(1 << 18, 512)), List.of(WorkingSetTest.range(1, 1), WorkingSetTest.range(41, 10))).encode();
        return List.of(one, many, SnapshotFuzzTest.resealed(one), SnapshotFuzzTest.resealed(many));
    }
}
