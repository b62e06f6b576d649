package dev.vmm.core.boot;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinuxKernelTest {
    @Test
    void aBzImageLoadsItsProtectedModePartAtThePreferredAddressAndEntersAt0x200() {
        ByteBuffer image = TestImages.bzImage(64 * 1024);
        LinuxKernel kernel = LinuxKernel.parse("test", image.array());
        assertEquals(LinuxKernel.Format.BZIMAGE, kernel.format());
        assertEquals("2.15", kernel.protocolVersion());
        assertEquals(TestImages.PREFERRED_ADDRESS, kernel.loadStart().value());
        assertEquals(TestImages.PREFERRED_ADDRESS + 0x200, kernel.entry().value());
        assertEquals(TestImages.INIT_SIZE, kernel.initSize());
        LinuxKernel.LoadSegment segment = kernel.segments().getFirst();
        assertArrayEquals(Arrays.copyOfRange(image.array(), 5 * 512, image.capacity()), segment.data());
        // The setup header runs from 0x1f1 to the end of the jump's target (0x202 + 0x6a).
        assertArrayEquals(Arrays.copyOfRange(image.array(), 0x1f1, 0x202 + 0x6a), kernel.setupHeader());
    }

    @Test
    void aTruncatedBzImageIsRefusedWithOneSentence() {
        byte[] image = TestImages.bzImage(64 * 1024).array();
        BootException e = assertThrows(BootException.class, () -> LinuxKernel.parse("vmlinuz", Arrays.copyOf(image, image.length - 4096)));
        assertTrue(e.getMessage().startsWith("Kernel image vmlinuz is truncated or damaged"), e.getMessage());
        e = assertThrows(BootException.class, () -> LinuxKernel.parse("vmlinuz", Arrays.copyOf(image, 0x250)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void otherFilesAreNotKernels() {
        BootException e = assertThrows(BootException.class, () -> LinuxKernel.parse("notes.txt", "hello, world".getBytes()));
        assertTrue(e.getMessage().contains("neither a bzImage nor an ELF vmlinux"), e.getMessage());
        e = assertThrows(BootException.class, () -> LinuxKernel.parse("empty", new byte[0]));
        assertTrue(e.getMessage().contains("neither"), e.getMessage());
    }

    @Test
    void oldProtocolsAnd32BitKernelsAreRefused() {
        ByteBuffer old = TestImages.bzImage(4096);
        old.putShort(LinuxKernel.VERSION, (short) 0x020a);
        BootException e = assertThrows(BootException.class, () -> LinuxKernel.parse("old", old.array()));
        assertTrue(e.getMessage().contains("boot protocol 2.10") && e.getMessage().contains("2.12"), e.getMessage());

        ByteBuffer i386 = TestImages.bzImage(4096);
        i386.putShort(LinuxKernel.XLOADFLAGS, (short) 0);
        e = assertThrows(BootException.class, () -> LinuxKernel.parse("i386", i386.array()));
        assertTrue(e.getMessage().contains("no 64-bit entry point"), e.getMessage());
    }

    @Test
    void anElfVmlinuxLoadsEachSegmentAtItsPhysicalAddress() {
        ByteBuffer elf = TestImages.elf(0x1000000, 0x3000, 0x5000, 0x1000100);
        LinuxKernel kernel = LinuxKernel.parse("vmlinux", elf.array());
        assertEquals(LinuxKernel.Format.ELF_VMLINUX, kernel.format());
        assertEquals(0x1000100, kernel.entry().value());
        assertEquals(0x1000000, kernel.loadStart().value());
        assertEquals(0x5000, kernel.initSize());
        LinuxKernel.LoadSegment segment = kernel.segments().getFirst();
        assertEquals(0x5000, segment.memorySize());
        assertArrayEquals(Arrays.copyOfRange(elf.array(), 0x1000, 0x4000), segment.data());
    }

    @Test
    void brokenElfFilesAreRefused() {
        byte[] cut = Arrays.copyOf(TestImages.elf(0x1000000, 0x3000, 0x3000, 0x1000000).array(), 0x2000);
        BootException e = assertThrows(BootException.class, () -> LinuxKernel.parse("vmlinux", cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        ByteBuffer elf32 = TestImages.elf(0x1000000, 0x100, 0x100, 0x1000000);
        elf32.put(4, (byte) 1);
        e = assertThrows(BootException.class, () -> LinuxKernel.parse("vmlinux32", elf32.array()));
        assertTrue(e.getMessage().contains("not a 64-bit little-endian x86-64"), e.getMessage());

        ByteBuffer strayEntry = TestImages.elf(0x1000000, 0x100, 0x100, 0x2000000);
        e = assertThrows(BootException.class, () -> LinuxKernel.parse("module.ko", strayEntry.array()));
        assertTrue(e.getMessage().contains("entry point"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        BootException e = assertThrows(BootException.class, () -> LinuxKernel.read(Path.of("/nonexistent/vmlinuz")));
        assertEquals("Kernel image /nonexistent/vmlinuz does not exist: give the path of a bzImage or an ELF vmlinux.", e.getMessage());
    }
}
