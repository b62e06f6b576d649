// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GuestMemory#mapPrivate}: a snapshot's memory file mapped copy-on-write, without KVM. */
class GuestMemoryFileTest {
    private static final GuestMemory.Range LOW = new GuestMemory.Range(GuestAddress.of(0), 0x2000);
    private static final GuestMemory.Range HIGH = new GuestMemory.Range(GuestAddress.of(0x100000), 0x1000);

    @TempDir
    Path temp;

    @Test
    void theRangesAreTheFileOneAfterAnotherAndWritesStayPrivate() throws IOException {
        byte[] content = new byte[0x3000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i / 0x1000 + 1);
        }
        Path file = Files.write(temp.resolve("memory"), content);
        // Given out of order: the file holds them in address order.
        try (GuestMemory memory = GuestMemory.mapPrivate(file, List.of(HIGH, LOW))) {
            assertEquals(GuestMemory.Backing.FILE_PRIVATE, memory.backing());
            assertArrayEquals(new byte[] {1, 2}, new byte[] {memory.read(GuestAddress.of(0), 1)[0], memory.read(GuestAddress.of(0x1000), 1)[0]});
            assertEquals(3, memory.read(GuestAddress.of(0x100000), 1)[0], "the second range starts after the first's 8 KiB");
            memory.write(GuestAddress.of(0x100010), new byte[] {42});
            assertEquals(42, memory.read(GuestAddress.of(0x100010), 1)[0]);
        }
        assertArrayEquals(content, Files.readAllBytes(file), "the file is never written");
    }

    @Test
    void aFileOfTheWrongSizeIsRefusedBeforeAnythingIsMapped() throws IOException {
        Path shorter = Files.write(temp.resolve("short"), new byte[0x2fff]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GuestMemory.mapPrivate(shorter, List.of(LOW, HIGH)));
        assertTrue(e.getMessage().contains("need exactly 12288"), e.getMessage());
        KvmException missing = assertThrows(KvmException.class, () -> GuestMemory.mapPrivate(temp.resolve("none"), List.of(LOW)));
        assertTrue(missing.is(Errno.ENOENT), missing.getMessage());
    }
}
