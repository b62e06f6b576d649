// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.prefault.PreFaultPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's options, and its answer to bad ones, without KVM. */
class BootOptionsTest {
    @Test
    void defaultsAndValuesAreParsed() {
        BootOptions o = BootOptions.parse("--kernel", "/k", "--prefault", "stage2", "--cpus", "2", "--runs", "5", "--compare", "qemu");
        assertEquals(Path.of("/k"), o.kernel());
        assertEquals(PreFaultPolicy.STAGE2, o.preFault());
        assertEquals(2, o.cpus());
        assertEquals(5, o.runs());
        assertTrue(o.compareQemu());
        assertEquals(256, o.memoryMib());
        assertEquals(MicroVmConfig.DEFAULT_COMMAND_LINE, o.commandLine());
        // A child launcher gets back the same settings.
        BootOptions child = BootOptions.parse(o.childArguments(true).toArray(String[]::new));
        assertTrue(child.child());
        assertEquals(o.vmConfig(), child.vmConfig());
    }

    @Test
    void compareQemuTakesDisks() {
        BootOptions o = BootOptions.parse("--kernel", "/k", "--rootfs", "/r.ext4", "--rootfs-ro", "--disk", "/scratch.img", "--compare", "qemu",
                "--runs", "3");
        assertTrue(o.compareQemu());
        assertEquals(List.of(new MicroVmConfig.Drive(Path.of("/r.ext4"), true), new MicroVmConfig.Drive(Path.of("/scratch.img"), false)), o.drives());
        BootOptions child = BootOptions.parse(o.childArguments(true).toArray(String[]::new));
        assertEquals(o.vmConfig(), child.vmConfig(), "our side of the comparison boots the same disks");
    }

    @Test
    void badOptionsAreOneSentence() {
        assertEquals("--prefault takes one of [NONE, POPULATE, STAGE2, FULL, AUTO], not 'lots'.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "/k", "--prefault", "lots")).getMessage());
        assertEquals("--cpus takes a whole number from 1 to 255, not 'two'.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "/k", "--cpus", "two")).getMessage());
        assertEquals("--compare takes 'qemu', not 'firecracker'.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "/k", "--compare", "firecracker")).getMessage());
        assertEquals("Option --mem needs a value (see --help).",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "/k", "--mem")).getMessage());
        assertTrue(assertThrows(BootException.class, () -> BootOptions.parse("--initrd", "/i")).getMessage().startsWith("No kernel given"));
    }

    @Test
    void valuesThatCannotBePathsOrHoldControlCharactersAreOneLine() {
        assertEquals("--kernel takes a path, not '/boot/vm?linuz' (Nul character not allowed).",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "/boot/vm\0linuz")).getMessage());
        assertEquals("--initrd takes a path, not ''.", assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "/k", "--initrd", "")).getMessage());
        assertEquals("--cpus takes a whole number from 1 to 255, not '2?--mem 9'.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "/k", "--cpus", "2\n--mem 9")).getMessage());
        String unknown = assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "/k", "x".repeat(100))).getMessage();
        assertTrue(unknown.startsWith("Unknown option '" + "x".repeat(80) + "...': "), unknown);
    }

    @Test
    void filesThatAreNotKernelsAreOneSentenceOnEveryPathOfTheLauncher(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
        for (Path kernel : List.of(Path.of("/dev/zero"), fifo, dir, Path.of("/proc/self/pagemap"))) {
            // In this JVM, and with --runs 2 (each boot in a child JVM) and --compare qemu: checked before any boot.
            for (List<String> more : List.of(List.<String>of(), List.of("--runs", "2"), List.of("--compare", "qemu"))) {
                List<String> args = new ArrayList<>(List.of("--kernel", kernel.toString()));
                args.addAll(more);
                String message = assertTimeoutPreemptively(Duration.ofSeconds(20),
                        () -> assertThrows(BootException.class, () -> BootLauncher.run(ProcessClock.start(), args.toArray(String[]::new)))).getMessage();
                assertTrue(message.startsWith("Kernel image " + kernel + " is ") && message.lines().count() == 1, args + ": " + message);
            }
        }
        // The same from main: one line, exit status 2.
        Process p = launcher("--kernel", fifo.toString(), "--runs", "2");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), output);
        assertEquals("vmm boot: Kernel image " + fifo + " is not a regular file but a device, FIFO or socket: give the path of a bzImage or an ELF vmlinux.",
                output.lines().toList().getLast());
    }

    private static Process launcher(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), BootLauncher.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void theLauncherPrintsOneLineAndExits2ForAMissingKernel() throws IOException, InterruptedException {
        Process p = launcher("--kernel", "/nonexistent/vmlinuz");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), output);
        assertEquals(List.of("vmm boot: /nonexistent/vmlinuz, 256 MiB, 1 vCPU, pre-fault NONE",
                "vmm boot: Kernel image /nonexistent/vmlinuz does not exist: give the path of a bzImage or an ELF vmlinux."), output.lines().toList());
    }
}
