// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.boot.TestImages;
import dev.vmm.core.microvm.MicroVmConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ./vmm boot's plan, without KVM: which defaults complete which command lines, where the sandbox
 * finds each file, and that bash reads the plan back word for word.
 */
class BootPlanTest {
    @TempDir
    Path dir;
    Path project, kernel, initrd, rootfs, rootfsInitrd, ownKernel;
    Optional<BootPlan.DefaultImages> defaults;

    @BeforeEach
    void images() throws IOException {
        project = Files.createDirectory(dir.resolve("project"));
        Path cache = Files.createDirectories(project.resolve("target/cache")); // the project is in /tmp, and so in reach
        ByteBuffer elf = TestImages.elf(0x1000000, 0x2000, List.of(new TestImages.Phdr(1, 0x1000, 0x1000, 0x1000000, 0x1000)));
        kernel = Files.write(cache.resolve("vmlinux"), elf.array());
        ownKernel = Files.write(dir.resolve("my-vmlinux"), elf.array());
        initrd = Files.write(cache.resolve("boot.cpio"), new byte[4096]);
        rootfsInitrd = Files.write(cache.resolve("boot-rootfs.cpio"), new byte[4096]);
        rootfs = Files.write(cache.resolve("rootfs.ext4"), new byte[8192]);
        defaults = Optional.of(new BootPlan.DefaultImages(kernel, initrd, rootfs, rootfsInitrd));
    }

    private BootOptions planned(BootPlan.Where where, String... args) {
        BootPlan plan = BootPlan.make(List.of(args), where, defaults, project).orElseThrow();
        return BootOptions.parse(plan.run().toArray(String[]::new));
    }

    @Test
    void withNothingGivenTheDefaultKernelBootsToTheDefaultRootReadOnly() {
        BootOptions o = planned(BootPlan.Where.HOST, "--disk-ro", rootfs.toString());
        assertEquals(kernel, o.kernel());
        assertEquals(rootfsInitrd, o.initrd(), "the initramfs that loads the default kernel's modules");
        assertEquals(List.of(new MicroVmConfig.Drive(rootfs, true), new MicroVmConfig.Drive(rootfs, true)), o.drives(), "--disk adds to the root");
        assertTrue(o.firstDriveIsRoot());
        assertTrue(o.commandLine().endsWith(" root=/dev/vda ro"), o.commandLine());
    }

    @Test
    void eachGivenPartKeepsTheDefaultsThatFitIt() throws IOException {
        Path myRoot = Files.write(dir.resolve("my-root.img"), new byte[1024]);
        Path myInitrd = Files.write(dir.resolve("my.cpio"), new byte[512]);
        // A kernel of one's own: the busybox initramfs, no root disk.
        BootOptions own = planned(BootPlan.Where.HOST, "--kernel", ownKernel.toString());
        assertEquals(List.of(ownKernel, initrd), Arrays.asList(own.kernel(), own.initrd()));
        assertTrue(own.drives().isEmpty());
        // A kernel of one's own with a root disk: no initramfs.
        BootOptions ownWithRoot = planned(BootPlan.Where.HOST, "--kernel", ownKernel.toString(), "--rootfs", myRoot.toString());
        assertEquals(null, ownWithRoot.initrd());
        // A root disk with the default kernel: the module-loading initramfs.
        BootOptions root = planned(BootPlan.Where.HOST, "--rootfs", myRoot.toString());
        assertEquals(List.of(kernel, rootfsInitrd), Arrays.asList(root.kernel(), root.initrd()));
        assertEquals(List.of(new MicroVmConfig.Drive(myRoot, false)), root.drives());
        // An initramfs of one's own: the default kernel, nothing else.
        BootOptions ownInitrd = planned(BootPlan.Where.HOST, "--initrd", myInitrd.toString());
        assertEquals(List.of(kernel, myInitrd), Arrays.asList(ownInitrd.kernel(), ownInitrd.initrd()));
        assertTrue(ownInitrd.drives().isEmpty());
    }

    @Test
    void theDefaultsAreAskedForOnlyWhenNeededAndAConfigFileGetsNone() throws IOException {
        assertTrue(BootPlan.make(List.of(), BootPlan.Where.HOST, Optional.empty(), project).isEmpty());
        Path myInitrd = Files.write(dir.resolve("my.cpio"), new byte[512]);
        assertTrue(BootPlan.make(List.of("--kernel", ownKernel.toString(), "--initrd", myInitrd.toString()), BootPlan.Where.HOST,
                Optional.empty(), project).isPresent(), "kernel and initrd given: no defaults needed");
        Path config = Files.writeString(dir.resolve("vm.json"), "{\"boot-source\": {\"kernel_image_path\": \"" + ownKernel + "\"}}");
        BootOptions o = planned(BootPlan.Where.HOST, "--config", config.toString(), "--mem", "300");
        assertEquals(ownKernel, o.kernel());
        assertEquals(null, o.initrd(), "a machine description is the whole machine");
        assertEquals(300, o.memoryMib(), "options beside --config take precedence");
        assertFalse(BootPlan.make(List.of("--config", config.toString()), BootPlan.Where.HOST, defaults, project).orElseThrow().run().contains("--config"),
                "the plan names the files directly");
    }

    @Test
    void badInputIsOneSentenceBeforeAnyBoot() throws IOException {
        Path odd = Files.write(dir.resolve("odd.img"), new byte[1000]);
        assertMessage("--mem takes a whole number from 1 to 1048576, not 'abc'.", BootPlan.Where.SANDBOX, "--mem", "abc");
        assertMessage("not a multiple of the 512-byte sector", BootPlan.Where.HOST, "--disk-ro", odd.toString());
        assertMessage("of guest memory is too small", BootPlan.Where.SANDBOX, "--mem", "8");
        assertMessage("does not exist", BootPlan.Where.HOST, "--kernel", dir.resolve("missing").toString());
        Path taken = Files.write(dir.resolve("taken.sock"), new byte[0]);
        assertMessage("already exists: remove it", BootPlan.Where.HOST, "--vsock", "cid=3,uds=" + taken);
        assertMessage("its folder " + dir.resolve("none") + " does not exist", BootPlan.Where.HOST, "--vsock", "cid=3,uds=" + dir.resolve("none/v.sock"));
        assertTrue(BootPlan.make(List.of("--vsock", "cid=3,uds=" + dir.resolve("v.sock")), BootPlan.Where.HOST, defaults, project).isPresent());
        assertFalse(Files.exists(dir.resolve("v.sock")), "the check's socket is gone again");
        assertMessage("--net and --vsock need this host's own KVM", BootPlan.Where.SANDBOX, "--net", "tap=vmm0");
        assertMessage("--net and --vsock need this host's own KVM", BootPlan.Where.SANDBOX, "--vsock", "cid=3,uds=" + dir.resolve("v.sock"));
    }

    @Test
    void theSandboxGetsCopiesOfFilesInTmpAndRefusesWhatItCannotWrite() throws IOException {
        Path tmp = Files.createTempDirectory(Path.of("/tmp"), "vmm-plan-test");
        try {
            Path disk = Files.write(tmp.resolve("it's a disk.img"), new byte[1024]);
            BootPlan plan = BootPlan.make(List.of("--disk-ro", disk.toString()), BootPlan.Where.SANDBOX, defaults, project).orElseThrow();
            assertEquals(1, plan.staged().size(), "only the file in /tmp outside the project: " + plan.staged());
            Path copy = plan.staged().getFirst();
            assertTrue(copy.startsWith(project.toRealPath().resolve("target/boot-staging")), copy.toString());
            assertEquals(1024, Files.size(copy));
            assertEquals(new MicroVmConfig.Drive(copy, true), BootOptions.parse(plan.run().toArray(String[]::new)).drives().get(1));
            assertEquals(kernel.toRealPath(), BootOptions.parse(plan.run().toArray(String[]::new)).kernel(), "in the project: read in place");
            // On the host, nothing is copied.
            assertTrue(BootPlan.make(List.of("--disk-ro", disk.toString()), BootPlan.Where.HOST, defaults, project).orElseThrow().staged().isEmpty());

            assertMessage("is writable, but inside the sandbox only the project folder", BootPlan.Where.SANDBOX, "--disk", disk.toString());
            Path inProject = Files.write(project.resolve("scratch.img"), new byte[1024]);
            assertEquals(new MicroVmConfig.Drive(inProject.toRealPath(), false), planned(BootPlan.Where.SANDBOX, "--disk", inProject.toString()).drives().get(1));
            assertMessage("--jfr " + tmp.resolve("boot.jfr") + ": inside the sandbox only the project folder", BootPlan.Where.SANDBOX,
                    "--jfr", tmp.resolve("boot.jfr").toString());
        } finally {
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aSnapshotAfterBootBootsTheBusyboxInitramfsWithoutVirtioDevicesAndCounting() throws IOException {
        Path snapshot = project.resolve("target/snapshots/one");
        Files.createDirectories(snapshot.getParent());
        BootOptions o = planned(BootPlan.Where.SANDBOX, "--snapshot-after-boot", snapshot.toString());
        assertEquals(List.of(kernel, initrd), Arrays.asList(o.kernel(), o.initrd()), "the busybox initramfs, not the default root");
        assertTrue(o.drives().isEmpty(), o.drives().toString());
        assertTrue(o.commandLine().endsWith(" " + BootOptions.COUNTING), o.commandLine());
        assertEquals(snapshot.toAbsolutePath(), o.snapshotAfterBoot());
        BootOptions counting = planned(BootPlan.Where.HOST, "--snapshot-after-boot", snapshot.toString(), "--cmdline", "console=ttyS0 vmm.count=7");
        assertEquals("console=ttyS0 vmm.count=7", counting.commandLine(), "a vmm.count= of one's own is kept");

        assertEquals(List.of(new MicroVmConfig.Drive(rootfs, true)),
                planned(BootPlan.Where.HOST, "--snapshot-after-boot", snapshot.toString(), "--disk-ro", rootfs.toString()).drives(),
                "a disk goes with the snapshot");
        BootOptions withDevices = planned(BootPlan.Where.HOST, "--snapshot-after-boot", snapshot.toString(), "--net", "tap=vmm0",
                "--vsock", "cid=3,uds=" + dir.resolve("v.sock"));
        assertEquals(List.of(new MicroVmConfig.NetworkInterface("vmm0", null)), withDevices.networkInterfaces(), "a network interface goes with it");
        assertEquals(new MicroVmConfig.Vsock(3, dir.resolve("v.sock")), withDevices.vsock(), "so does a vsock device");
        assertMessage("--snapshot-after-boot saves one boot of this VMM", BootPlan.Where.HOST,
                "--snapshot-after-boot", snapshot.toString(), "--runs", "2");
        assertMessage("--snapshot-after-boot takes a directory", BootPlan.Where.HOST,
                "--snapshot-after-boot", dir.resolve("no/such/folder").toString());
        assertMessage("--snapshot-after-boot takes a directory", BootPlan.Where.HOST, "--snapshot-after-boot", rootfs.toString());
        assertMessage("--snapshot-after-boot " + dir.resolve("out") + ": inside the sandbox only the project folder", BootPlan.Where.SANDBOX,
                "--snapshot-after-boot", dir.resolve("out").toString());
    }

    @Test
    void theSandboxIsSizedForTheGuestAndTheJvm() {
        BootPlan small = BootPlan.make(List.of(), BootPlan.Where.SANDBOX, defaults, project).orElseThrow();
        assertEquals(List.of(4096L, 2L), List.of(small.sandboxMemoryMib(), (long) small.sandboxCpus()));
        BootPlan big = BootPlan.make(List.of("--mem", "3000", "--cpus", "3", "--compare", "qemu"), BootPlan.Where.SANDBOX, defaults, project).orElseThrow();
        assertEquals(List.of(5048L, 3L), List.of(big.sandboxMemoryMib(), (long) big.sandboxCpus()));
        assertTrue(big.needsQemu());
        assertEquals(List.of("--json"), big.training().subList(big.training().size() - 1, big.training().size()));
        assertFalse(big.training().contains("--compare"), "the training boot is one boot of ours");
    }

    @Test
    void bashReadsThePlanBackWordForWord() throws Exception {
        String cmdline = "console=ttyS0 it's \"quoted\" $HOME `x` \\ end\nnext";
        BootPlan plan = BootPlan.make(List.of("--cmdline", cmdline, "--json"), BootPlan.Where.HOST, defaults, project).orElseThrow();
        Path file = Files.writeString(dir.resolve("plan.sh"), plan.toShell());
        Process bash = new ProcessBuilder("bash", "-c", "set -eu; . \"$1\"; printf '%s\\0' \"${plan_run[@]}\"; printf '%s\\0' \"$plan_sandbox_mem\"",
                "bash", file.toString()).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, bash.waitFor(), out);
        List<String> words = new ArrayList<>(List.of(out.split("\0", -1)));
        words.removeLast(); // after the last NUL
        List<String> expected = new ArrayList<>(plan.run());
        expected.add(Long.toString(plan.sandboxMemoryMib()));
        assertEquals(expected, words);
        assertTrue(words.contains(cmdline + " root=/dev/vda ro"), "the command line survives as one word");
    }

    private void assertMessage(String expected, BootPlan.Where where, String... args) {
        BootException e = assertThrows(BootException.class, () -> BootPlan.make(List.of(args), where, defaults, project));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one sentence: " + e.getMessage());
    }

    @Test
    void theDefaultImagesComeFromTheEnvironmentOnlyWhenAllFourAreSet() {
        Map<String, String> all = Map.of("VMM_BOOT_KERNEL", "/k", "VMM_BOOT_INITRD", "/i", "VMM_BOOT_ROOTFS", "/r", "VMM_BOOT_ROOTFS_INITRD", "/ri");
        assertEquals(new BootPlan.DefaultImages(Path.of("/k"), Path.of("/i"), Path.of("/r"), Path.of("/ri")), BootPlan.DefaultImages.from(all).orElseThrow());
        Map<String, String> three = new java.util.HashMap<>(all);
        three.put("VMM_BOOT_ROOTFS", "");
        assertTrue(BootPlan.DefaultImages.from(three).isEmpty());
    }
}
