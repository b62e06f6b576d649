// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.GuestMemory;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbitrary bytes as a kernel image: parsed, planned into 256 MiB and loaded, as linux-loader's
 * fuzz target in Cloud Hypervisor does. A BootException sentence is the only acceptable failure,
 * and a boot that was planned must load: no check may be left for after the VM exists.
 */
@Tag("fuzz")
class KernelLoaderFuzzTest {
    private static final long MEMORY = 256 << 20;
    private static final BootImage INITRD = BootImage.of("initrd", "070701".repeat(100).getBytes());

    @Test
    void anyImageIsLoadedOrRefusedWithOneSentence() {
        long[] loaded = {0};
        try (GuestMemory memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(MEMORY))) {
            Fuzzer.Result result = Fuzzer.named("kernel-loader").seeds(seeds()).inputs(15_000).run(input -> {
                byte[] image = image(input);
                LinuxBoot boot;
                try {
                    boot = LinuxBoot.plan(LinuxKernel.parse("fuzz", image), INITRD, MicroVmConfig.DEFAULT_COMMAND_LINE, MEMORY, 1);
                } catch (BootException e) {
                    assertOneSentence(e);
                    return;
                }
                boot.load(memory);
                for (LinuxKernel.LoadSegment s : boot.kernel().segments()) { // the image's bytes, then zeros (the first 4 KiB of them)
                    int zeros = (int) Math.min(s.memorySize() - s.fileSize(), 4096);
                    byte[] expected = Arrays.copyOf(Arrays.copyOfRange(image, (int) s.fileOffset(), (int) (s.fileOffset() + s.fileSize())),
                            (int) s.fileSize() + zeros);
                    assertArrayEquals(expected, memory.read(s.address(), expected.length), "segment " + s);
                }
                loaded[0]++;
            });
            System.out.println("kernel-loader: " + loaded[0] + " of " + result.executed() + " inputs planned and loaded");
            // Refusing everything would pass too: the mutations must reach the load often enough to test it.
            assertTrue(loaded[0] >= 500, loaded[0] + " of " + result.executed() + " inputs loaded");
        }
    }

    /** The header fields the parser reads, and the fields of an ELF file's first two program headers. */
    private static final int[] BZIMAGE_FIELDS = {LinuxKernel.SETUP_SECTS, LinuxKernel.SYSSIZE, LinuxKernel.BOOT_FLAG, 0x201,
            LinuxKernel.HEADER_MAGIC, LinuxKernel.VERSION, LinuxKernel.LOADFLAGS, LinuxKernel.INITRD_ADDR_MAX, LinuxKernel.KERNEL_ALIGNMENT,
            LinuxKernel.XLOADFLAGS, LinuxKernel.CMDLINE_SIZE, LinuxKernel.PREF_ADDRESS, LinuxKernel.INIT_SIZE};
    private static final int[] ELF_FIELDS = {4, 5, 18, 24, 32, 54, 56, 64, 72, 88, 96, 104, 120, 128, 144, 152, 160};

    /**
     * The image an input stands for. Most inputs are the image itself; one that starts with 'P'
     * is a list of patches to a small valid bzImage (or ELF, when its second byte is odd): records
     * of 10 bytes (which field; 1, 2, 4 or 8 bytes wide, and whether the value counts up from 0 or
     * down from 2^32, 2^63 or 2^64; the value), so that values at the edges of overflow land on
     * header fields far more often than when mutations hit anywhere in a whole image.
     */
    static byte[] image(byte[] input) {
        if (input.length < 2 || input[0] != 'P') {
            return input;
        }
        boolean elf = (input[1] & 1) == 1;
        ByteBuffer image = elf ? TestImages.elf(0x1000000, 0x180, List.of(new TestImages.Phdr(1, 0xb0, 0x40, 0x1000000, 0x1000),
                new TestImages.Phdr(1, 0xf0, 0x40, 0x1001000, 0x40))) : debianLikeBzImage(1, 64);
        int[] fields = elf ? ELF_FIELDS : BZIMAGE_FIELDS;
        for (int at = 2; at + 10 <= input.length; at += 10) {
            int field = fields[Byte.toUnsignedInt(input[at]) % fields.length];
            int width = 1 << (input[at + 1] & 3);
            long raw = ByteBuffer.wrap(input, at + 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long value = switch (input[at + 1] >> 2 & 3) {
                case 0 -> raw;
                case 1 -> (1L << 32) - raw;
                case 2 -> Long.MIN_VALUE - raw; // 2^63 - raw
                default -> -raw;               // 2^64 - raw
            };
            for (int i = 0; i < width; i++) {
                image.put(field + i, (byte) (value >>> (8 * i)));
            }
        }
        return image.array();
    }

    /** A patch input for {@link #image}: 'P', the template, then (field index, width and edge code, value) records. */
    private static byte[] patches(int template, long... fieldWidthValue) {
        ByteBuffer b = ByteBuffer.allocate(2 + 10 * (fieldWidthValue.length / 3)).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'P').put((byte) template);
        for (int i = 0; i < fieldWidthValue.length; i += 3) {
            b.put((byte) fieldWidthValue[i]).put((byte) fieldWidthValue[i + 1]).putLong(fieldWidthValue[i + 2]);
        }
        return b.array();
    }

    static void assertOneSentence(BootException e) {
        String m = e.getMessage();
        assertTrue(m != null && m.endsWith(".") && m.lines().count() == 1, "one sentence: " + m);
    }

    /** Structure-aware images, each defect once found, and the head of a real kernel when there is one. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        // Small images first: mutations land in a header more often the less payload there is around it.
        seeds.add(debianLikeBzImage(1, 16).array());
        seeds.add(TestImages.elf(0x1000000, 0xf8, List.of(new TestImages.Phdr(1, 0x78, 0x80, 0x1000000, 0x1000))).array());
        seeds.add(patches(0, 11, 3, 0x2000000)); // pref_address 32 MiB
        seeds.add(patches(0, 12, 2, 0x100000, 10, 2, 4095)); // init_size 1 MiB, cmdline_size 4095
        seeds.add(patches(0, 1, 2, 4, 11, 15, 0x1000000)); // syssize 64 bytes, pref_address 2^64 - 16 MiB
        seeds.add(patches(1, 13, 3, 0x1000000, 16, 3, 0x2000)); // second segment moved, bigger
        seeds.add(patches(1, 6, 1, 3, 4, 3, 64)); // three program headers at 64
        seeds.add(patches(1, 6, 1, 1, 11, 7, 0x1000000)); // one segment, up to 4 GiB
        seeds.add(debianLikeBzImage(4, 8192).array());
        seeds.add(TestImages.bzImage(4096).array());
        // A vmlinux's program headers: text, data, percpu, init+bss, a note.
        seeds.add(TestImages.elf(0x1000b53, 0x6000, List.of(
                new TestImages.Phdr(1, 0x1000, 0x2000, 0x1000000, 0x2000),
                new TestImages.Phdr(1, 0x3000, 0x1000, 0x2c00000, 0x1000),
                new TestImages.Phdr(1, 0x4000, 0x800, 0x3302000, 0x800),
                new TestImages.Phdr(1, 0x5000, 0x1000, 0x333b000, 0x400000),
                new TestImages.Phdr(4, 0x1100, 0x1f0, 0x1000100, 0x1f0))).array());
        seeds.add(TestImages.elf(0x1000000, 0x100, 0x100, 0x1000000).array());
        // The defects the filer found.
        ByteBuffer phoff = TestImages.elf(0x1000000, 0x100, 0x100, 0x1000000);
        seeds.add(phoff.putLong(32, 0x7fffffffffffffc0L).putShort(56, (short) 2).array());
        ByteBuffer offset = TestImages.elf(0x1000000, 0x100, 0x100, 0x1000000);
        seeds.add(offset.putLong(64 + 8, 0x7fffffffffffff00L).putLong(64 + 32, 0x200).array());
        seeds.add(debianLikeBzImage(4, 4096).putLong(LinuxKernel.PREF_ADDRESS, 0xffffffffffffff00L).array());
        seeds.add(debianLikeBzImage(4, 4096).putLong(LinuxKernel.PREF_ADDRESS, 0x7ffffffffffff000L).array());
        seeds.add(debianLikeBzImage(4, 4096).putInt(LinuxKernel.CMDLINE_SIZE, 0xffffffff).array());
        seeds.add(TestImages.elf(0x1000000, 4096, Collections.nCopies(1000, new TestImages.Phdr(1, 0, 4096, 0x1000000, 4096))).array());
        realKernelHead().ifPresent(seeds::add);
        return seeds;
    }

    /** The header fields of a Debian 6.12 bzImage: protocol 2.15, 64-bit and EFI entry flags, 55 MiB init_size. */
    static ByteBuffer debianLikeBzImage(int setupSectors, int payload) {
        ByteBuffer b = TestImages.bzImage(setupSectors, payload);
        b.putShort(0x1f2, (short) 1).putShort(0x1fa, (short) 0xffff); // root_flags, vid_mode
        b.putShort(LinuxKernel.VERSION, (short) 0x020f);
        b.putShort(0x20c, (short) 0x1000).putShort(0x212, (short) 0x8000).putInt(0x214, 0x100000); // start_sys_seg, setup_move_size, code32_start
        b.putShort(0x224, (short) 0x5c00); // heap_end_ptr
        b.putInt(LinuxKernel.INITRD_ADDR_MAX, 0x7fffffff).putInt(LinuxKernel.KERNEL_ALIGNMENT, 0x200000);
        b.put(0x234, (byte) 1).put(0x235, (byte) 0x15); // relocatable_kernel, min_alignment
        b.putShort(LinuxKernel.XLOADFLAGS, (short) 0x7f).putInt(LinuxKernel.CMDLINE_SIZE, 2047);
        b.putInt(0x248, 0x2cc).putInt(0x24c, Math.max(payload - 0x400, 0)); // payload_offset, payload_length
        b.putLong(LinuxKernel.PREF_ADDRESS, 0x1000000).putInt(LinuxKernel.INIT_SIZE, 0x37ef000);
        return b;
    }

    /** The first 64 KiB of VMM_BOOT_KERNEL or a cached Debian vmlinuz, if there is one. */
    static java.util.Optional<byte[]> realKernelHead() {
        List<Path> candidates = new ArrayList<>();
        String fromEnv = System.getenv("VMM_BOOT_KERNEL");
        if (fromEnv != null) {
            candidates.add(Path.of(fromEnv));
        }
        Path debs = Path.of(System.getProperty("user.home"), ".cache", "vmm", "debs");
        if (Files.isDirectory(debs)) {
            try (Stream<Path> files = Files.find(debs, 4, (p, a) -> a.isRegularFile() && p.getFileName().toString().startsWith("vmlinuz-"))) {
                files.sorted().forEach(candidates::add);
            } catch (IOException e) {
                // no cache: no real seed
            }
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                try (InputStream in = Files.newInputStream(candidate)) {
                    return java.util.Optional.of(in.readNBytes(64 << 10));
                } catch (IOException e) {
                    // try the next
                }
            }
        }
        return java.util.Optional.empty();
    }
}
