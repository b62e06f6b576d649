// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.snapshot.SnapshotException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The microvm file of a MicroVm snapshot: written and read back, and every damaged one refused in one sentence. */
class MicroVmConfigFileTest {
    private static final MicroVmConfig CONFIG = new MicroVmConfig(Path.of("/images/vmlinux"), Path.of("/images/initrd.cpio"),
            "console=ttyS0 acpi=off", 256L << 20, 2, null);

    @TempDir
    Path dir;

    @Test
    void aConfigurationComesBackAsWritten() {
        assertEquals(CONFIG, MicroVmConfigFile.decode("microvm", MicroVmConfigFile.encode(CONFIG)));
        MicroVmConfig noInitrd = new MicroVmConfig(Path.of("k"), null, "", 4096, 1, null);
        assertEquals(noInitrd, MicroVmConfigFile.decode("microvm", MicroVmConfigFile.encode(noInitrd)));
        MicroVmConfigFile.write(dir, CONFIG);
        assertEquals(CONFIG, MicroVmConfigFile.read(dir));
    }

    @Test
    void theLayoutIsTheDocumentedOne() {
        byte[] file = MicroVmConfigFile.encode(CONFIG);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("VMMMICRO", new String(file, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, b.getInt(8), "version");
        assertEquals(0, b.getInt(12), "reserved");
        assertEquals(file.length - 28, b.getLong(16), "body length");
        assertEquals(256L << 20, b.getLong(24), "memory size");
        assertEquals(2, b.getInt(32), "vCPUs");
        assertEquals("/images/vmlinux".length(), b.getInt(36), "kernel path length");
        assertEquals(crc(file, file.length - 4), b.getInt(file.length - 4), "CRC32C of all before it");
    }

    @Test
    void eachDamageIsOneSentence() {
        byte[] good = MicroVmConfigFile.encode(CONFIG);
        assertRefused(Arrays.copyOf(good, 5), "does not start with \"VMMMICRO\"");
        assertRefused(MicroVmConfigFile.MAGIC, "is truncated: it ends before its header");
        assertRefused(Arrays.copyOf(good, good.length - 1), "its header promises a body of");
        assertRefused(Arrays.copyOf(good, good.length + 1), "its header promises a body of");
        assertRefused(changed(good, b -> b.putInt(8, 2), false), "is MicroVm configuration format version 2, and this library reads only version 1");
        assertRefused(changed(good, b -> b.put(40, (byte) 'X'), false), "its CRC32C checksum does not match");
        assertRefused(changed(good, b -> b.putInt(12, 1), true), "its reserved header field is not 0");
        assertRefused(changed(good, b -> b.putLong(24, 4095), true), "its memory size 4095 is not a positive multiple of 4 KiB");
        assertRefused(changed(good, b -> b.putLong(24, -4096), true), "is not a positive multiple of 4 KiB");
        assertRefused(changed(good, b -> b.putInt(32, 0), true), "it has 0 vCPUs, not 1 to 4096");
        assertRefused(changed(good, b -> b.putInt(32, 4097), true), "it has 4097 vCPUs");
        assertRefused(changed(good, b -> b.putInt(36, -1), true), "its kernel path of 4294967295 bytes does not fit the file");
        assertRefused(changed(good, b -> b.putInt(36, 1000), true), "its kernel path of 1000 bytes does not fit the file");
        assertRefused(changed(good, b -> b.put(40, (byte) 0xff), true), "its kernel path is not UTF-8");
        assertRefused(changed(good, b -> b.putInt(36, 0), true), "its initrd path of"); // the kernel path's bytes read as the next length
        byte[] longer = Arrays.copyOf(good, good.length + 1); // a byte after the command line, the header and checksum made to fit
        ByteBuffer.wrap(longer).order(ByteOrder.LITTLE_ENDIAN).putLong(16, longer.length - 28).putInt(longer.length - 4, crc(longer, longer.length - 4));
        assertRefused(longer, "it has 1 bytes after its command line");
        MicroVmConfig noKernel = new MicroVmConfig(Path.of(""), null, "", 4096, 1, null);
        assertRefused(MicroVmConfigFile.encode(noKernel), "its kernel path is empty");
    }

    @Test
    void everyTruncationAndEveryFlippedBitIsRefused() {
        byte[] good = MicroVmConfigFile.encode(CONFIG);
        for (int length = 0; length < good.length; length++) {
            assertThrowsOneSentence(Arrays.copyOf(good, length));
        }
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] flipped = good.clone();
            flipped[bit / 8] ^= (byte) (1 << bit % 8);
            assertThrowsOneSentence(flipped);
        }
    }

    @Test
    void aDirectoryWithoutTheFileSaysWhatItIs() {
        SnapshotException e = assertThrows(SnapshotException.class, () -> MicroVmConfigFile.read(dir));
        assertEquals(dir + " holds no MicroVm snapshot (no 'microvm' file): give a directory MicroVm.snapshot wrote,"
                + " or restore a VmSnapshot.save directory with VmSnapshot.restore.", e.getMessage());
    }

    private static void assertRefused(byte[] file, String expected) {
        SnapshotException e = assertThrowsOneSentence(file);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static SnapshotException assertThrowsOneSentence(byte[] file) {
        SnapshotException e = assertThrows(SnapshotException.class, () -> MicroVmConfigFile.decode("microvm", file));
        assertTrue(e.getMessage().startsWith("microvm ") && e.getMessage().endsWith(".") && e.getMessage().lines().count() == 1,
                "one sentence: " + e.getMessage());
        return e;
    }

    /** A copy of {@code file} changed by {@code change}, its checksum made to fit again when {@code reseal}. */
    private static byte[] changed(byte[] file, Consumer<ByteBuffer> change, boolean reseal) {
        byte[] copy = file.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        change.accept(b);
        if (reseal) {
            b.putInt(copy.length - 4, crc(copy, copy.length - 4));
        }
        assertTrue(!Arrays.equals(copy, file));
        return copy;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    @Test
    void theRoundTripIsExact() {
        byte[] file = MicroVmConfigFile.encode(CONFIG);
        assertArrayEquals(file, MicroVmConfigFile.encode(MicroVmConfigFile.decode("microvm", file)));
    }
}
