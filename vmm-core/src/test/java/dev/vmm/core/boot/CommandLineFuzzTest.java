// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.GuestMemory;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static dev.vmm.core.boot.KernelLoaderFuzzTest.assertOneSentence;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbitrary text as the kernel command line, through the plan and into the zero page and guest
 * memory: refused with one sentence, or written exactly, NUL-terminated, where the zero page says.
 */
@Tag("fuzz")
class CommandLineFuzzTest {
    private static final long MEMORY = 256 << 20;

    @Test
    void anyCommandLineIsWrittenExactlyOrRefusedWithOneSentence() {
        // The first byte picks the decoding (below) and the kernel: 2047 bytes of command line, cmdline_size 0xffffffff, or an ELF vmlinux.
        List<LinuxKernel> kernels = List.of(
                LinuxKernel.parse("vmlinuz", KernelLoaderFuzzTest.debianLikeBzImage(4, 4096).array()),
                LinuxKernel.parse("vmlinuz-huge-cmdline", KernelLoaderFuzzTest.debianLikeBzImage(4, 4096).putInt(LinuxKernel.CMDLINE_SIZE, 0xffffffff).array()),
                LinuxKernel.parse("vmlinux", TestImages.elf(0x1000000, 0x100, 0x100, 0x1000000).array()));
        long[] written = {0};
        try (GuestMemory memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(MEMORY))) {
            Fuzzer.Result result = Fuzzer.named("command-line").seeds(seeds()).inputs(10_000).run(input -> {
                if (input.length == 0) {
                    return;
                }
                String line = commandLine(input);
                LinuxBoot boot;
                try {
                    boot = LinuxBoot.plan(kernels.get(Math.floorMod(input[0], kernels.size())), null, line, MEMORY, 1);
                } catch (BootException e) {
                    assertOneSentence(e);
                    return;
                }
                boot.load(memory);
                byte[] expected = Arrays.copyOf(line.getBytes(StandardCharsets.US_ASCII), line.length() + 1);
                assertArrayEquals(expected, memory.read(LinuxBoot.COMMAND_LINE, expected.length), "the command line and its NUL");
                ByteBuffer zeroPage = ByteBuffer.wrap(memory.read(LinuxBoot.ZERO_PAGE, 4096)).order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(LinuxBoot.COMMAND_LINE.value(), zeroPage.getInt(0x228), "cmd_line_ptr");
                written[0]++;
            });
            System.out.println("command-line: " + written[0] + " of " + result.executed() + " command lines written");
            assertTrue(written[0] >= 500, "the mutations must reach the load often enough to test it");
        }
    }

    /** The bytes after the first, as text: byte for char, as UTF-8 (non-ASCII, malformed sequences), or as 7-bit ASCII without NULs. */
    private static String commandLine(byte[] input) {
        return switch ((input[0] >> 4 & 0xf) % 3) {
            case 0 -> new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1);
            case 1 -> new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
            default -> {
                StringBuilder ascii = new StringBuilder(input.length);
                for (int i = 1; i < input.length; i++) {
                    ascii.append(input[i] == 0 ? ' ' : (char) (input[i] & 0x7f));
                }
                yield ascii.toString();
            }
        };
    }

    private static List<byte[]> seeds() {
        return List.of(
                seed(0x00, MicroVmConfig.DEFAULT_COMMAND_LINE),
                seed(0x20, MicroVmConfig.DEFAULT_COMMAND_LINE + " vmm.exit=poweroff init=/bin/sh root=/dev/vda rw"),
                seed(0x20, "console=ttyS0 " + "x".repeat(2047 - 14)), // exactly the limit
                seed(0x00, "x".repeat(2048)),
                seed(0x22, "x".repeat(3000)), // the kernel without a limit of its own
                seed(0x12, "console=ttyS0 café \u0000 \u2028"),
                seed(0x11, "console=ttyS0 \uD800 lone surrogate"),
                seed(0x02, ""));
    }

    private static byte[] seed(int kernel, String line) {
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        byte[] seed = new byte[text.length + 1];
        seed[0] = (byte) kernel;
        System.arraycopy(text, 0, seed, 1, text.length);
        return seed;
    }
}
