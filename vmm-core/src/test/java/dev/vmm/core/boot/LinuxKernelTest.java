// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.GuestAddress;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

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
        assertEquals(List.of(new LinuxKernel.LoadSegment(5 * 512, image.capacity() - 5 * 512, GuestAddress.of(TestImages.PREFERRED_ADDRESS),
                image.capacity() - 5 * 512)), kernel.segments());
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
        assertEquals(List.of(new LinuxKernel.LoadSegment(0x1000, 0x3000, GuestAddress.of(0x1000000), 0x5000)), kernel.segments());
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
    void programHeadersAtAnOffsetNear2To63AreOneSentence() {
        ByteBuffer elf = TestImages.elf(0x1000000, 0x100, 0x100, 0x1000000);
        elf.putLong(32, 0x7fffffffffffffc0L).putShort(56, (short) 2); // e_phoff + e_phnum * 56 overflowed to a negative number and passed
        assertOneSentence(() -> LinuxKernel.parse("vmlinux", elf.array()), "program headers lie outside the file");
    }

    @Test
    void aSegmentWhoseOffsetPlusSizeOverflowsIsOneSentence() {
        ByteBuffer elf = TestImages.elf(0x1000000, 0x100, 0x100, 0x1000000);
        elf.putLong(64 + 8, 0x7fffffffffffff00L).putLong(64 + 32, 0x200).putLong(64 + 40, 0x200); // p_offset + p_filesz < 0
        assertOneSentence(() -> LinuxKernel.parse("vmlinux", elf.array()), "segment 0 lies outside the file");
    }

    @Test
    void aPreferredAddressBeyond4GibIsRefusedWhenTheImageIsRead() {
        for (long preferred : new long[] {0xffffffffffffff00L, 0x7ffffffffffff000L, 1L << 32}) {
            ByteBuffer image = TestImages.bzImage(4096);
            image.putLong(LinuxKernel.PREF_ADDRESS, preferred);
            // 0x7ffffffffffff000 used to pass the plan (load start + init_size overflowed) and fail after the VM existed.
            assertOneSentence(() -> LinuxBoot.plan(LinuxKernel.parse("vmlinuz", image.array()), null, "", 256 << 20, 1),
                    "asks to be loaded at 0x" + Long.toHexString(preferred));
        }
    }

    @Test
    void aCommandLineSizeOf0xffffffffIsUnsignedNotMinusOne() {
        ByteBuffer image = TestImages.bzImage(4096);
        image.putInt(LinuxKernel.CMDLINE_SIZE, 0xffffffff);
        LinuxKernel kernel = LinuxKernel.parse("vmlinuz", image.array());
        assertEquals(Integer.MAX_VALUE, kernel.maxCommandLine());
        String line = "console=ttyS0 " + "x".repeat(4000);
        assertEquals(LinuxBoot.COMMAND_LINE.value(), ByteBuffer.wrap(LinuxBoot.plan(kernel, null, line, 64 << 20, 1).zeroPage())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0x228), "the line is taken: the command line area, not -1, is the limit");
    }

    @Test
    void a65535SegmentElfIsRefusedWithoutCopyingWhatItsHeadersClaim() {
        // One MiB of file, 65535 headers each claiming all of it: 64 GiB if copied to the heap.
        List<TestImages.Phdr> phdrs = java.util.Collections.nCopies(65535, new TestImages.Phdr(1, 0, 1 << 20, 0x1000000, 1 << 20));
        byte[] elf = TestImages.elf(0x1000000, 1 << 20, phdrs).array();
        long allocated = allocatedBytes(() -> assertOneSentence(() -> LinuxKernel.parse("vmlinux", elf), "65535 program headers"));
        assertTrue(allocated < 16 << 20, allocated + " bytes allocated");
    }

    @Test
    void manySegmentsAreDescribedNotCopied() {
        // The most headers Linux takes, each 256 KiB of the file at its own address: 292 MiB of segments.
        int count = 65536 / 56;
        List<TestImages.Phdr> phdrs = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            phdrs.add(new TestImages.Phdr(1, 0, 256 << 10, 0x1000000 + (long) i * (256 << 10), 256 << 10));
        }
        byte[] elf = TestImages.elf(0x1000000, 256 << 10, phdrs).array();
        LinuxKernel[] kernel = new LinuxKernel[1];
        long allocated = allocatedBytes(() -> kernel[0] = LinuxKernel.parse("vmlinux", elf));
        assertEquals(count, kernel[0].segments().size());
        assertEquals((long) count * (256 << 10), kernel[0].initSize());
        assertTrue(allocated < 16 << 20, allocated + " bytes allocated to parse " + count + " segments of 256 KiB");
    }

    @Test
    void overlappingSegmentsAreRefused() {
        List<TestImages.Phdr> phdrs = List.of(new TestImages.Phdr(1, 0x1000, 0x2000, 0x1000000, 0x2000),
                new TestImages.Phdr(1, 0x1000, 0x2000, 0x1001000, 0x2000));
        assertOneSentence(() -> LinuxKernel.parse("vmlinux", TestImages.elf(0x1000000, 0x3000, phdrs).array()),
                "two of its segments overlap at physical 0x1001000");
    }

    @Test
    void headerFieldsThatCannotBeRightAreOneSentenceEach() {
        ByteBuffer wideHeaders = TestImages.elf(0x1000000, 0x100, 0x100, 0x1000000);
        wideHeaders.putShort(54, (short) 0xffff);
        assertOneSentence(() -> LinuxKernel.parse("vmlinux", wideHeaders.array()), "program headers are 65535 bytes each, not 56");

        ByteBuffer moreFileThanMemory = TestImages.elf(0x1000000, 0x100, 0x80, 0x1000000);
        assertOneSentence(() -> LinuxKernel.parse("vmlinux", moreFileThanMemory.array()), "more bytes in the file than in memory");

        ByteBuffer wrapping = TestImages.elf(0x1000000, 0x100, 0xffffffffffffff00L, 0x1000000);
        assertOneSentence(() -> LinuxKernel.parse("vmlinux", wrapping.array()), "beyond 4 GiB");

        ByteBuffer shortHeader = TestImages.bzImage(4096);
        shortHeader.put(0x201, (byte) 0x10);
        assertOneSentence(() -> LinuxKernel.parse("vmlinuz", shortHeader.array()), "setup header is cut off");

        ByteBuffer hugeSyssize = TestImages.bzImage(4096);
        hugeSyssize.putInt(LinuxKernel.SYSSIZE, 0xffffffff);
        assertOneSentence(() -> LinuxKernel.parse("vmlinuz", hugeSyssize.array()), "the header announces");

        ByteBuffer setupOnly = TestImages.bzImage(0);
        assertOneSentence(() -> LinuxKernel.parse("vmlinuz", setupOnly.array()), "truncated");
    }

    /** Asserts that {@code parse} fails with one BootException sentence containing {@code expected}. */
    static void assertOneSentence(org.junit.jupiter.api.function.Executable parse, String expected) {
        BootException e = assertThrows(BootException.class, parse);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().endsWith(".") && e.getMessage().lines().count() == 1, "one sentence: " + e.getMessage());
    }

    /** Bytes this thread allocated on the heap while {@code action} ran. */
    static long allocatedBytes(Runnable action) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void aMissingFileIsNamed() {
        BootException e = assertThrows(BootException.class, () -> LinuxKernel.read(Path.of("/nonexistent/vmlinuz")));
        assertEquals("Kernel image /nonexistent/vmlinuz does not exist: give the path of a bzImage or an ELF vmlinux.", e.getMessage());
    }
}
