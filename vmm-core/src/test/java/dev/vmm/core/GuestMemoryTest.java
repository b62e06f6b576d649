package dev.vmm.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestMemoryTest {
    private static final long MIB = 1 << 20;

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
}
