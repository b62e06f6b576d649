// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.Capability;
import dev.vmm.core.Kvm;
import dev.vmm.core.Vm;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.microvm.BootEvent;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.prefault.PreFaultPolicy;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher boots with every pre-fault policy, warns when the guest saw another machine than it
 * was given, and turns bad input into one sentence before any VM exists.
 */
@Tag("kvm")
@Tag("linux-boot")
class BootLauncherTest {
    @ParameterizedTest
    @EnumSource(value = PreFaultPolicy.class, names = {"POPULATE", "STAGE2", "FULL", "AUTO"})
    void bootsWithEachPreFaultPolicy(PreFaultPolicy policy) {
        boolean stage2;
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            stage2 = vm.checkExtension(Capability.PRE_FAULT_MEMORY) == 1;
        }
        PreFaultPolicy expected = policy == PreFaultPolicy.AUTO ? (stage2 ? PreFaultPolicy.FULL : PreFaultPolicy.POPULATE) : policy;
        BootOptions options = BootOptions.parse("--kernel", BootImages.kernel().toString(), "--initrd", BootImages.initrd().toString(),
                "--mem", "256", "--prefault", policy.name().toLowerCase(), "--timeout", "200");
        BootMeasurement m = JavaBoot.boot(options, ProcessClock.start(), null, null);
        assertTrue(m.clean, m.exit);
        assertEquals(policy + " -> " + expected, m.preFault);
        assertNotNull(m.guestFacts(), "the init's marker line appeared");
        assertEquals(1, m.guestFacts()[0]);
        assertNotNull(m.phases.get(BootMeasurement.Phase.BOOT_COMPLETE), "boot-complete was signalled");
        assertTrue(m.phases.get(BootMeasurement.Phase.PRE_FAULT) > 0, "the pre-fault took time: " + m.phases);
    }

    /**
     * What started the ACPI work: Debian's cloud kernel does not parse MP tables, so booted with
     * acpi=off it finds one CPU of two. The launcher says so, in one sentence. (The same boot is
     * recorded with --jfr, and the recording checked: a boot costs half a minute in the sandbox.)
     */
    @Test
    void theLauncherWarnsWhenTheGuestSawFewerCpusThanItWasGiven(@TempDir Path dir) throws IOException {
        Path jfr = dir.resolve("boot.jfr");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream before = System.err;
        int status;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8)); // with --json the guest's console goes here too
        try {
            status = BootLauncher.run(ProcessClock.start(), "--kernel", BootImages.cloudKernel().toString(),
                    "--initrd", BootImages.initrd().toString(), "--cpus", "2", "--json", "--timeout", "200",
                    "--cmdline", MicroVmConfig.DEFAULT_COMMAND_LINE + " acpi=off", "--jfr", jfr.toString());
        } finally {
            System.setErr(before);
        }
        String output = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, "a clean boot: " + output);
        assertTrue(output.lines().anyMatch(line -> line.startsWith("vmm boot: warning (java): the guest saw 1 CPU of the 2 configured: ")
                && line.endsWith("look at its console for why (a kernel booted with acpi=off and built without CONFIG_X86_MPPARSE finds one CPU).")), output);

        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        Set<String> moments = events.stream().filter(e -> e.getEventType().getName().equals("dev.vmm.BootPhase"))
                .map(e -> e.getString("moment")).collect(Collectors.toSet());
        assertEquals(Arrays.stream(BootEvent.values()).map(Enum::name).collect(Collectors.toSet()), moments, "every moment of the boot recorded");
        assertEquals(1, events.stream().filter(e -> e.getEventType().getName().equals("dev.vmm.VmCreated")).count());
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.vmm.VcpuExits") && e.getLong("io") > 0),
                "the vCPUs' exit counts were sampled while the guest booted");
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.ThreadStart")), "and the JVM's own events");
    }

    @Test
    void badImagesAndSizesAreOneSentenceBeforeAnyVm(@TempDir Path dir) throws IOException {
        String kernel = BootImages.kernel().toString();
        String initrd = BootImages.initrd().toString();
        byte[] image = Files.readAllBytes(BootImages.kernel());
        Path truncated = Files.write(dir.resolve("truncated"), Arrays.copyOf(image, image.length / 2));
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a kernel\n");
        Path hugeInitrd = dir.resolve("huge.cpio");
        try (var file = java.nio.channels.FileChannel.open(hugeInitrd, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap(new byte[] {1}), (200L << 20) - 1); // sparse, 200 MiB
        }
        assertError("is truncated or damaged", "--kernel", truncated.toString(), "--initrd", initrd);
        assertError("is neither a bzImage nor an ELF vmlinux", "--kernel", text.toString());
        assertError("does not fit between the kernel", "--kernel", kernel, "--initrd", hugeInitrd.toString(), "--mem", "128");
        assertError("of guest memory is too small", "--kernel", kernel, "--initrd", initrd, "--mem", "8");
        assertError("shorten it", "--kernel", kernel, "--cmdline", "console=ttyS0 " + "x".repeat(5000));
        assertError("does not exist", "--kernel", kernel, "--initrd", dir.resolve("missing.cpio").toString());
    }

    private static void assertError(String expected, String... args) {
        BootException e = assertThrows(BootException.class, () -> BootLauncher.run(ProcessClock.start(), args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one sentence: " + e.getMessage());
    }
}
