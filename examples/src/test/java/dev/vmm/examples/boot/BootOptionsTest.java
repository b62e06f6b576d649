package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.prefault.PreFaultPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        BootOptions child = BootOptions.parse(o.childArguments().toArray(String[]::new));
        assertTrue(child.child());
        assertEquals(o.vmConfig(), child.vmConfig());
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
    void theLauncherPrintsOneLineAndExits2ForAMissingKernel() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), BootLauncher.class.getName(),
                "--kernel", "/nonexistent/vmlinuz").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), output);
        assertEquals(List.of("vmm boot: /nonexistent/vmlinuz, 256 MiB, 1 vCPU, pre-fault NONE",
                "vmm boot: Kernel image /nonexistent/vmlinuz does not exist: give the path of a bzImage or an ELF vmlinux."), output.lines().toList());
    }
}
