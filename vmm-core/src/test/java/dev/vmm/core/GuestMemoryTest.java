// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestMemoryTest {
    private static final long MIB = 1 << 20;
    private static final long CHUNK = 64 * MIB;

    @Test
    void readsBackWhatWasWrittenInEachRegion() {
        try (GuestMemory memory = GuestMemory.anonymous(List.of(
                new GuestMemory.Range(GuestAddress.of(0), 2 * MIB),
                new GuestMemory.Range(GuestAddress.of(4 * MIB), MIB)))) {
            assertEquals(3 * MIB, memory.size());
            memory.write(GuestAddress.of(2 * MIB - 3), new byte[] {1, 2, 3});
            memory.write(GuestAddress.of(4 * MIB), new byte[] {4});
            assertArrayEquals(new byte[] {1, 2, 3}, memory.read(GuestAddress.of(2 * MIB - 3), 3));
            assertArrayEquals(new byte[] {4, 0}, memory.read(GuestAddress.of(4 * MIB), 2));

            memory.fill(GuestAddress.of(4 * MIB + 1), 3, (byte) 7);
            assertArrayEquals(new byte[] {4, 7, 7, 7, 0}, memory.read(GuestAddress.of(4 * MIB), 5));
        }
    }

    @Test
    void accessesOutsideOrAcrossRegionsAreRejected() {
        try (GuestMemory memory = GuestMemory.anonymous(List.of(
                new GuestMemory.Range(GuestAddress.of(0), MIB),
                new GuestMemory.Range(GuestAddress.of(MIB + 4096), MIB)))) {
            // Straddles the hole between the regions.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> memory.write(GuestAddress.of(MIB - 1), new byte[2]));
            assertTrue(e.getMessage().startsWith("Guest range [0xfffff, +2) is not inside one memory region"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> memory.read(GuestAddress.of(MIB), 1));
            assertThrows(IllegalArgumentException.class, () -> memory.read(GuestAddress.of(-1L), 1));
            assertThrows(IllegalArgumentException.class, () -> memory.read(GuestAddress.of(0), -1));
            assertThrows(IllegalArgumentException.class, () -> memory.fill(GuestAddress.of(MIB - 1), 2, (byte) 1));
        }
    }

    @Test
    void scalarsAreLittleEndianAtAnyAlignmentAndBoundsChecked() {
        try (GuestMemory memory = GuestMemory.anonymous(List.of(
                new GuestMemory.Range(GuestAddress.of(0), MIB),
                new GuestMemory.Range(GuestAddress.of(MIB + 4096), MIB)))) {
            memory.write(GuestAddress.of(0x100), new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) 0x88, (byte) 0xff});
            assertEquals(0x0201, memory.readU16(GuestAddress.of(0x100)));
            assertEquals(0xff88, memory.readU16(GuestAddress.of(0x107)), "odd address, unsigned");
            assertEquals(0x04030201L, memory.readU32(GuestAddress.of(0x100)));
            assertEquals(0xff880706L, memory.readU32(GuestAddress.of(0x105)));
            assertEquals(0x8807060504030201L, memory.readU64(GuestAddress.of(0x100)));
            memory.writeU16(GuestAddress.of(0x201), 0x1abcd);
            memory.writeU32(GuestAddress.of(0x204), 0xdeadbeef);
            assertArrayEquals(new byte[] {0, (byte) 0xcd, (byte) 0xab, 0, (byte) 0xef, (byte) 0xbe, (byte) 0xad, (byte) 0xde},
                    memory.read(GuestAddress.of(0x200), 8));

            assertTrue(memory.contains(GuestAddress.of(MIB - 2), 2));
            assertFalse(memory.contains(GuestAddress.of(MIB - 1), 2), "runs into the hole");
            assertFalse(memory.contains(GuestAddress.of(-8L), 16), "wraps at 2^64");
            assertThrows(IllegalArgumentException.class, () -> memory.readU16(GuestAddress.of(MIB - 1)));
            assertThrows(IllegalArgumentException.class, () -> memory.readU64(GuestAddress.of(2 * MIB + 4096 - 4)));
            assertThrows(IllegalArgumentException.class, () -> memory.writeU32(GuestAddress.of(-2L), 0));
        }
    }

    @Test
    void writesFromABufferAndFromAFileInChunks(@TempDir Path dir) throws IOException {
        byte[] content = new byte[(int) (3 * MIB) + 100]; // more than one 1 MiB chunk, and a partial one
        new Random(1).nextBytes(content);
        Path file = Files.write(dir.resolve("data"), content);
        try (GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 8 * MIB); FileChannel channel = FileChannel.open(file)) {
            ByteBuffer buffer = ByteBuffer.wrap(content, 10, 20);
            memory.write(GuestAddress.of(0x100), buffer);
            assertEquals(30, buffer.position(), "the buffer's bytes are consumed");
            assertArrayEquals(Arrays.copyOfRange(content, 10, 30), memory.read(GuestAddress.of(0x100), 20));
            ByteBuffer into = ByteBuffer.allocateDirect(32).position(4).limit(24);
            memory.read(GuestAddress.of(0x100), into);
            assertEquals(24, into.position(), "a read fills the remaining bytes and moves past them");
            assertArrayEquals(Arrays.copyOfRange(content, 10, 30), Arrays.copyOfRange(bytes(into.flip().position(4)), 0, 20));
            assertThrows(IllegalArgumentException.class, () -> memory.read(GuestAddress.of(8 * MIB - 4), ByteBuffer.allocate(8)));

            assertEquals(content.length - 7, memory.write(GuestAddress.of(MIB), channel, 7, content.length - 7));
            assertArrayEquals(Arrays.copyOfRange(content, 7, content.length), memory.read(GuestAddress.of(MIB), content.length - 7));
            // Asked for more than the file holds: what there was, and the count says so.
            assertEquals(100, memory.write(GuestAddress.of(0), channel, 3 * MIB, MIB));
            assertArrayEquals(Arrays.copyOfRange(content, (int) (3 * MIB), content.length), memory.read(GuestAddress.of(0), 100));
            // The whole range is checked before anything is read.
            assertThrows(IllegalArgumentException.class, () -> memory.write(GuestAddress.of(7 * MIB), channel, 0, 2 * MIB));
            assertEquals(0, channel.position(), "positional reads leave the channel where it was");
        }
    }

    @Test
    void readsIntoAFileInChunks(@TempDir Path dir) throws IOException {
        byte[] content = new byte[(int) (3 * MIB) + 100];
        new Random(2).nextBytes(content);
        Path file = Files.write(dir.resolve("data"), new byte[10]);
        try (GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 8 * MIB);
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            memory.write(GuestAddress.of(MIB), content);
            memory.read(GuestAddress.of(MIB), content.length, channel, 5);
            byte[] expected = new byte[5 + content.length];
            System.arraycopy(content, 0, expected, 5, content.length);
            assertArrayEquals(expected, Files.readAllBytes(file), "written at the position, the file grown");
            assertThrows(IllegalArgumentException.class, () -> memory.read(GuestAddress.of(7 * MIB), 2 * MIB, channel, 0));
            assertEquals(0, channel.position(), "positional writes leave the channel where it was");
        }
    }

    @Test
    void badRangesAreRejectedWithTheValue() {
        IllegalArgumentException unaligned = assertThrows(IllegalArgumentException.class,
                () -> new GuestMemory.Range(GuestAddress.of(0x1001), MIB));
        assertEquals("Guest memory start 0x1001 is not 4 KiB aligned: use a multiple of 0x1000.", unaligned.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory.Range(GuestAddress.of(0), 0));
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory.Range(GuestAddress.of(-4096), 8192));
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class, () -> GuestMemory.anonymous(List.of(
                new GuestMemory.Range(GuestAddress.of(0), 2 * MIB),
                new GuestMemory.Range(GuestAddress.of(MIB), MIB))));
        assertTrue(overlap.getMessage().endsWith("overlap."), overlap.getMessage());
    }

    @Test
    void closedMemoryCannotBeTouched() {
        GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), MIB);
        memory.close();
        memory.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.read(GuestAddress.of(0), 1));
        assertEquals("This guest memory is closed; create a new one.", e.getMessage());
    }

    @Test
    void everyBackingHoldsDataAndPopulateMakesItResident() throws Exception {
        for (GuestMemory.Backing backing : List.of(GuestMemory.Backing.ANONYMOUS, GuestMemory.Backing.TRANSPARENT_HUGE_PAGES, GuestMemory.Backing.MEMFD)) {
            long size = 128 * MIB;
            try (GuestMemory memory = GuestMemory.create(backing, List.of(
                    new GuestMemory.Range(GuestAddress.of(0), size / 2),
                    new GuestMemory.Range(GuestAddress.of(1L << 32), size / 2)))) {
                assertEquals(backing, memory.backing());
                long before = residentBytes();
                java.util.concurrent.atomic.AtomicLong reported = new java.util.concurrent.atomic.AtomicLong();
                long populated = memory.populate(GuestAddress.of(0), (1L << 32) + size, 2, reported::addAndGet);
                assertEquals(size, populated, backing.name());
                assertEquals(size, reported.get(), backing.name() + ": progress adds up to the whole");
                long grown = residentBytes() - before;
                assertTrue(grown >= size * 9 / 10, backing + ": resident memory grew by " + (grown >> 20) + " MiB only");
                memory.write(GuestAddress.of((1L << 32) + 5), new byte[] {9});
                assertArrayEquals(new byte[] {9}, memory.read(GuestAddress.of((1L << 32) + 5), 1));
            }
        }
    }

    @Test
    void populateStopsWithinAChunkPerThreadWhenAsked() {
        long size = 4L << 30; // reserved lazily (MAP_NORESERVE): only what is populated costs memory
        int threads = 2;
        try (GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), size)) {
            java.util.concurrent.atomic.AtomicLong reported = new java.util.concurrent.atomic.AtomicLong();
            long populated = memory.populate(GuestAddress.of(0), size, threads, reported::addAndGet, () -> reported.get() > 0);
            assertEquals(reported.get(), populated, "the result says what was done");
            // Each thread asks before each chunk: its first one, at most one more started before the first report.
            assertTrue(populated > 0 && populated <= 2 * threads * CHUNK, (populated >> 20) + " MiB populated");
            assertEquals(0, populated % CHUNK);
        }
    }

    @Test
    void closingDuringAPopulateStopsItAndWaitsForTheChunksInProgress() throws Exception {
        long size = 4L << 30;
        GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), size);
        java.util.concurrent.atomic.AtomicLong reported = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread populating = Thread.ofPlatform().start(() -> {
            try {
                memory.populate(GuestAddress.of(0), size, 2, reported::addAndGet);
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        while (reported.get() == 0) {
            Thread.sleep(1);
        }
        memory.close();
        populating.join(10_000);
        assertFalse(populating.isAlive(), "populate ended once the memory was closed");
        assertEquals("The guest memory was closed while it was being populated.", failure.get().getMessage());
        assertTrue(reported.get() < size, (reported.get() >> 20) + " MiB populated");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.populate(GuestAddress.of(0), CHUNK, 1, done -> { }));
        assertEquals("This guest memory is closed; create a new one.", e.getMessage());
    }

    @Test
    void hugetlbWithoutReservedPagesSaysHowToReserveThem() throws Exception {
        long reserved = Long.parseLong(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/vm/nr_hugepages")).trim());
        org.junit.jupiter.api.Assumptions.assumeTrue(reserved == 0, "this machine has huge pages reserved");
        KvmException e = assertThrows(KvmException.class,
                () -> GuestMemory.create(GuestMemory.Backing.HUGETLB_2M, List.of(new GuestMemory.Range(GuestAddress.of(0), 2 * MIB))));
        assertTrue(e.getMessage().contains("nr_hugepages"), e.getMessage());
    }

    private static long residentBytes() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        return b;
    }
}
