// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.vmm.core.snapshot.SnapshotFileTest.assertOneSentence;
import static dev.vmm.core.snapshot.SnapshotFileTest.reseal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The working set's ranges, merged and checked, and its file: written whole, read back equal, and every damage refused. */
class WorkingSetTest {
    private static final long PAGE = GuestMemory.PAGE_SIZE;

    @TempDir
    Path dir;

    @Test
    void rangesAreSortedAndOverlappingOrAdjacentOnesMerged() {
        WorkingSet set = WorkingSet.of(List.of(range(10, 2), range(0, 1), range(1, 1), range(11, 4), range(20, 1)),
                List.of(range(12, 1), range(11, 1), range(30, 2)));
        assertEquals(List.of(range(0, 2), range(10, 5), range(20, 1), range(30, 2)), set.ranges(), "written pages count as touched");
        assertEquals(List.of(range(11, 2), range(30, 2)), set.written());
        assertEquals(10 * PAGE, set.bytes());
        assertEquals(4 * PAGE, set.writtenBytes());
        assertThrows(IllegalArgumentException.class, () -> WorkingSet.of(List.of(), List.of()));
    }

    @Test
    void aWrittenWorkingSetReadsBackEqual() throws Exception {
        WorkingSet set = WorkingSet.of(List.of(range(0, 3), range(0x40000, 16), range((4L << 30) / PAGE, 1)), List.of(range(0x40002, 3)));
        set.write(dir);
        assertEquals(set, WorkingSet.read(dir));
        assertEquals(List.of(dir.resolve(WorkingSet.FILE)), Files.list(dir).toList(), "no temporary file left beside it");
        WorkingSet other = WorkingSet.of(List.of(range(7, 1)), List.of());
        other.write(dir);
        assertEquals(other, WorkingSet.read(dir), "a later one replaces it");
    }

    @Test
    void everyTruncationAndFlippedBitIsRefusedInOneSentence() {
        byte[] file = WorkingSet.of(List.of(range(0, 3), range(8, 1)), List.of(range(1, 1))).encode();
        for (int length = 0; length < file.length; length++) {
            byte[] cut = Arrays.copyOf(file, length);
            SnapshotException e = assertThrows(SnapshotException.class, () -> WorkingSet.decode("ws", cut), "cut at " + length);
            assertOneSentence(e);
        }
        for (int bit = 0; bit < file.length * 8; bit++) {
            byte[] flipped = file.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            SnapshotException e = assertThrows(SnapshotException.class, () -> WorkingSet.decode("ws", flipped), "bit " + bit);
            assertOneSentence(e);
        }
        assertOneSentence(() -> WorkingSet.decode("ws", Arrays.copyOf(file, file.length + 3)), "3 bytes after its checksum");
    }

    @Test
    void rangesOutOfOrderOrNotWholePagesAreRefusedBehindAValidChecksum() {
        assertOneSentence(() -> WorkingSet.decode("ws", resealed(pairs(0, PAGE, PAGE, PAGE), pairs())), "does not come after the one before it");
        assertOneSentence(() -> WorkingSet.decode("ws", resealed(pairs(2 * PAGE, PAGE, 0, PAGE), pairs())), "does not come after the one before it");
        assertOneSentence(() -> WorkingSet.decode("ws", resealed(pairs(100, PAGE), pairs())), "is not whole pages");
        assertOneSentence(() -> WorkingSet.decode("ws", resealed(pairs(0, 0), pairs())), "is not whole pages");
        assertOneSentence(() -> WorkingSet.decode("ws", resealed(pairs(Long.MAX_VALUE & -PAGE, 2 * PAGE), pairs())), "is not whole pages");
        assertOneSentence(() -> WorkingSet.decode("ws", resealed(pairs(), pairs())), "touched ranges, not 1 to");
        assertOneSentence(() -> WorkingSet.decode("ws", resealed(pairs(0, PAGE), pairs(PAGE, PAGE))), "is not inside one touched range");
        assertOneSentence(() -> WorkingSet.decode("ws", resealed(pairs(0, PAGE, 2 * PAGE, PAGE), pairs(0, 3 * PAGE))), "is not inside one touched range");
        assertEquals(WorkingSet.of(List.of(range(0, 4)), List.of(range(1, 2))), WorkingSet.decode("ws", resealed(pairs(0, 4 * PAGE), pairs(PAGE, 2 * PAGE))));
        byte[] wrongCount = resealed(pairs(0, PAGE), pairs());
        ByteBuffer.wrap(wrongCount).order(ByteOrder.LITTLE_ENDIAN).putInt(FramedFile.HEADER_SIZE, 2);
        reseal(wrongCount);
        assertOneSentence(() -> WorkingSet.decode("ws", wrongCount), "its 2 touched ranges need 32 bytes");
        byte[] valid = resealed(pairs(0, PAGE), pairs());
        assertOneSentence(() -> WorkingSet.decode("ws", WorkingSet.FORMAT.frame(Arrays.copyOf(body(pairs(0, PAGE), pairs()), 28))),
                "4 bytes after its written ranges");
        assertOneSentence(() -> WorkingSet.decode("ws", new byte[40]), "is not a working set file");
        assertEquals(WorkingSet.of(List.of(range(0, 1)), List.of()), WorkingSet.decode("ws", valid));
    }

    @Test
    void aWorkingSetOutsideTheSnapshotsMemoryIsRefused() {
        List<GuestMemory.Range> memory = List.of(range(0, 16), range(256, 256));
        WorkingSet.of(List.of(range(0, 16), range(300, 10)), List.of()).checkWithin(memory);
        assertOneSentence(() -> WorkingSet.of(List.of(range(15, 2)), List.of()).checkWithin(memory), "recorded for another snapshot");
        assertOneSentence(() -> WorkingSet.of(List.of(), List.of(range(600, 1))).checkWithin(memory), "lies outside the snapshot's memory");
    }

    @Test
    void aMissingFileSaysHowToMakeOne() {
        assertOneSentence(() -> WorkingSet.read(dir), "record one with RestoredVm.workingSet()");
    }

    static GuestMemory.Range range(long firstPage, long pages) {
        return new GuestMemory.Range(GuestAddress.of(firstPage * PAGE), pages * PAGE);
    }

    static long[] pairs(long... startsAndSizes) {
        return startsAndSizes;
    }

    /** A body of the two lists of (start, size) pairs, whatever they are. */
    static byte[] body(long[] touched, long[] written) {
        ByteBuffer body = ByteBuffer.allocate(8 + 8 * (touched.length + written.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] list : new long[][] {touched, written}) {
            body.putInt(list.length / 2);
            for (long value : list) {
                body.putLong(value);
            }
        }
        return body.array();
    }

    /** A well-framed file of the two lists. */
    static byte[] resealed(long[] touched, long[] written) {
        return WorkingSet.FORMAT.frame(body(touched, written));
    }
}
