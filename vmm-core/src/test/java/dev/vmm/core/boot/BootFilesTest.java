// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.microvm.MicroVm;
import dev.vmm.core.microvm.MicroVmConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static dev.vmm.core.boot.LinuxKernelTest.allocatedBytes;
import static dev.vmm.core.boot.LinuxKernelTest.assertOneSentence;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Kernel and initrd files: checked before anything is read, copied into guest memory at load, and watched for changes in between. */
class BootFilesTest {
    private static final long MIB = 1 << 20;
    /** A FIFO with no writer blocked the old reader for ever: these tests must end. */
    private static final Duration NO_HANG = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Path kernelFile() throws IOException {
        return Files.write(dir.resolve("vmlinuz"), TestImages.bzImage(64 * 1024).array());
    }

    private Path fifo() throws IOException, InterruptedException {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor(), "mkfifo");
        return fifo;
    }

    @Test
    void devicesFifosAndProcFilesAreRefusedBeforeAnyVmAndWithoutReadingThem() throws Exception {
        Path kernel = kernelFile();
        Path fifo = fifo();
        // Files.size is 0 for each: the old size cap let them through to a read that never ended or filled the heap.
        for (Path bad : List.of(Path.of("/dev/zero"), fifo, Path.of("/proc/self/pagemap"))) {
            String expected = bad.startsWith("/proc") ? "is empty" : "is not a regular file but a device, FIFO or socket";
            assertTimeoutPreemptively(NO_HANG, () -> {
                assertOneSentence(() -> MicroVm.create(MicroVmConfig.of(bad, null, 64, 1), b -> { }).close(), "Kernel image " + bad + " " + expected);
                assertOneSentence(() -> MicroVm.create(MicroVmConfig.of(kernel, bad, 64, 1), b -> { }).close(), "The initrd " + bad + " " + expected);
            });
        }
    }

    @Test
    void directoriesEmptyFilesHugeFilesAndMissingFilesAreOneSentence() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty"));
        Path huge = dir.resolve("huge");
        try (FileChannel file = FileChannel.open(huge, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[] {1}), BootImage.MAX_SIZE); // sparse: one byte more than the cap
        }
        assertOneSentence(() -> LinuxKernel.read(dir), "Kernel image " + dir + " is not a regular file but a directory: give the path of a bzImage");
        assertOneSentence(() -> LinuxKernel.read(empty), "Kernel image " + empty + " is empty");
        assertOneSentence(() -> BootImage.initrd(empty), "The initrd " + empty + " is empty: give the path of a cpio archive.");
        assertOneSentence(() -> LinuxKernel.read(huge), "is 1024 MiB, more than the 1 GiB this VMM loads");
        assertOneSentence(() -> BootImage.initrd(dir.resolve("missing")), "The initrd " + dir.resolve("missing") + " does not exist");
    }

    @Test
    void theKernelAndInitrdGoFromTheirFilesIntoGuestMemoryWithoutAHeapCopy() throws IOException {
        byte[] image = TestImages.bzImage(64 * 1024).array();
        Path kernel = Files.write(dir.resolve("vmlinuz"), image);
        byte[] initrdBytes = new byte[(int) (16 * MIB) + 5];
        Arrays.fill(initrdBytes, (byte) 0x5a);
        Path initrd = Files.write(dir.resolve("initrd"), initrdBytes);
        try (GuestMemory memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(64 * MIB))) {
            LinuxBoot[] boot = new LinuxBoot[1];
            long allocated = allocatedBytes(() -> {
                boot[0] = LinuxBoot.plan(kernel, initrd, "console=ttyS0", 64 * MIB, 1);
                boot[0].load(memory);
            });
            assertTrue(allocated < 4 * MIB, allocated + " bytes allocated to load a 16 MiB initrd");
            assertArrayEquals(Arrays.copyOfRange(image, 5 * 512, image.length),
                    memory.read(GuestAddress.of(TestImages.PREFERRED_ADDRESS), image.length - 5 * 512));
            assertArrayEquals(initrdBytes, memory.read(boot[0].initrdAddress(), initrdBytes.length));
        }
    }

    @Test
    void anElfsSegmentsAreCopiedAndTheRestOfTheirMemoryZeroed() {
        List<TestImages.Phdr> phdrs = List.of(new TestImages.Phdr(1, 0x1000, 0x1000, 0x1000000, 0x3000),
                new TestImages.Phdr(4, 0x1000, 0x10, 0x1000000, 0x10), // a PT_NOTE: not loaded
                new TestImages.Phdr(1, 0x2000, 0x800, 0x1200000, 0x800));
        byte[] elf = TestImages.elf(0x1000000, 0x3000, phdrs).array();
        try (GuestMemory memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(64 * MIB))) {
            memory.fill(GuestAddress.of(0x1000000), 0x300000, (byte) 0xff);
            LinuxBoot.plan(LinuxKernel.parse("vmlinux", elf), null, "", 64 * MIB, 1).load(memory);
            assertArrayEquals(Arrays.copyOfRange(elf, 0x1000, 0x2000), memory.read(GuestAddress.of(0x1000000), 0x1000));
            assertArrayEquals(new byte[0x2000], memory.read(GuestAddress.of(0x1001000), 0x2000), "bss zeroed");
            assertArrayEquals(Arrays.copyOfRange(elf, 0x2000, 0x2800), memory.read(GuestAddress.of(0x1200000), 0x800));
        }
    }

    @Test
    void segmentsMustFitInGuestRamBeforeAnyVmExists() {
        // 200 MiB of bss: fine in 256 MiB, refused in 64 MiB, by the plan.
        byte[] elf = TestImages.elf(0x1000000, 0x1000, 200 * MIB, 0x1000000).array();
        LinuxKernel kernel = LinuxKernel.parse("vmlinux", elf);
        LinuxBoot.plan(kernel, null, "", 256 * MIB, 1);
        assertOneSentence(() -> LinuxBoot.plan(kernel, null, "", 64 * MIB, 1), "64 MiB of guest memory is too small");
        // Low memory ends at 3 GiB, but the kernel's entry sees only the first GiB mapped.
        byte[] high = TestImages.elf(0x3ff00000, 0x1000, 2 * MIB, 0x3ff00000).array();
        assertOneSentence(() -> LinuxBoot.plan(LinuxKernel.parse("vmlinux", high), null, "", 4096 * MIB, 1), "beyond the first 1024 MiB");
    }

    @Test
    void aKernelOrInitrdThatChangedSinceTheCheckFailsTheLoadWithOneSentence() throws Exception {
        Path kernel = kernelFile();
        Path initrd = Files.write(dir.resolve("initrd"), new byte[8192]);
        try (GuestMemory memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(64 * MIB))) {
            LinuxBoot boot = LinuxBoot.plan(kernel, initrd, "", 64 * MIB, 1);
            try (FileChannel file = FileChannel.open(kernel, StandardOpenOption.WRITE)) {
                file.truncate(Files.size(kernel) - 4096);
            }
            assertOneSentence(() -> boot.load(memory), "Kernel image " + kernel + " changed since it was checked");

            Files.write(kernel, TestImages.bzImage(64 * 1024).array());
            LinuxBoot again = LinuxBoot.plan(kernel, initrd, "", 64 * MIB, 1);
            Files.write(initrd, new byte[100], StandardOpenOption.APPEND);
            assertOneSentence(() -> again.load(memory), "The initrd " + initrd + " changed since it was checked (8192 bytes then, 8292 now)");

            LinuxBoot third = LinuxBoot.plan(kernel, initrd, "", 64 * MIB, 1);
            Files.delete(initrd);
            Path fifo = fifo();
            Files.move(fifo, initrd);
            assertTimeoutPreemptively(NO_HANG, () -> assertOneSentence(() -> third.load(memory), "The initrd " + initrd + " is not a regular file"));
        }
    }

    @Test
    void aFileThatEndsBeforeItsSizeFailsTheLoad() {
        // sysfs files say 4096 bytes and hold a few: the load must notice the short read, not load garbage.
        Path sysfs = Path.of("/sys/devices/system/cpu/online");
        assumeTrue(Files.isReadable(sysfs), "no sysfs here");
        BootImage initrd = BootImage.initrd(sysfs);
        assumeTrue(initrd.size() == 4096, "sysfs reports the real size here");
        LinuxBoot boot = LinuxBoot.plan(LinuxKernel.parse("vmlinuz", TestImages.bzImage(4096).array()), initrd, "", 64 * MIB, 1);
        try (GuestMemory memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(64 * MIB))) {
            assertOneSentence(() -> boot.load(memory), "The initrd " + sysfs + " ended before the 4096 bytes it had when it was checked");
        }
    }
}
