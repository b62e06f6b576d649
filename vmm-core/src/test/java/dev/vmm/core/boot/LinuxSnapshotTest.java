// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.KvmTest;
import dev.vmm.core.microvm.MicroVm;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.microvm.MicroVmExit;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.snapshot.WorkingSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The stock 6.12 kernel, booted to the busybox initramfs, whose init counts five times a second
 * after boot-complete (vmm.count=, scripts/boot-init.sh) and echoes what is typed at its console:
 * saved while it counts, and restored into a new MicroVm, the guest counts on from where it was
 * and answers its console; the clone's working set, written beside the snapshot, serves a second
 * clone's pre-fault.
 */
@Tag("linux-boot")
class LinuxSnapshotTest {
    /** What the guest may take to answer a line typed at its console, nested KVM being slow. */
    private static final Duration ANSWER = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @KvmTest
    void aGuestOfOneVcpuCountsOnInItsClonesAndAnswersTheirConsoles() throws Exception {
        aBootedLinuxCountsOnInItsClonesAndAnswersTheirConsoles(1);
    }

    @KvmTest
    void aGuestOfTwoVcpusCountsOnInItsClonesAndAnswersTheirConsoles() throws Exception {
        aBootedLinuxCountsOnInItsClonesAndAnswersTheirConsoles(2);
    }

    private void aBootedLinuxCountsOnInItsClonesAndAnswersTheirConsoles(int cpus) throws Exception {
        Path snapshot = dir.resolve("snapshot");
        MicroVmConfig config = new MicroVmConfig(GuestRoot.image("VMM_BOOT_KERNEL"), GuestRoot.image("VMM_BOOT_INITRD"),
                MicroVmConfig.DEFAULT_COMMAND_LINE + " vmm.count=999999", 256L << 20, cpus, null, List.of());
        long beforeSave, afterSave;
        GuestRoot.Console console = new GuestRoot.Console();
        try (MicroVm original = MicroVm.create(config, console); GuestRoot.Running running = new GuestRoot.Running(original, console)) {
            beforeSave = awaitCount(console, 3);
            original.snapshot(snapshot);
            afterSave = awaitCount(console, lastCount(console) + 1) - 1;
            running.stop();
        }
        System.out.printf("LinuxSnapshotTest: %d vCPUs, saved between counts %d and %d%n", cpus, beforeSave, afterSave);

        WorkingSet workingSet;
        GuestRoot.Console first = new GuestRoot.Console();
        try (MicroVm clone = MicroVm.restore(snapshot, RestoreOptions.defaults(), first);
             GuestRoot.Running running = new GuestRoot.Running(clone, first)) {
            long resumed = awaitCount(first, 0);
            assertTrue(resumed > beforeSave && resumed <= afterSave + 1, cpus + " vCPUs: the clone's first count " + resumed
                    + ", saved between " + beforeSave + " and " + afterSave + "; console: " + first.lines);
            awaitCount(first, resumed + 3);
            clone.consoleInput("typed at the clone\n".getBytes(StandardCharsets.US_ASCII));
            first.await("vmm-echo: typed at the clone", 1, ANSWER);
            workingSet = clone.workingSet();
            running.stop();
        }
        workingSet.write(snapshot);
        System.out.printf("LinuxSnapshotTest: %d vCPUs, the clone's working set %s%n", cpus, workingSet);
        assertTrue(workingSet.bytes() < config.memoryBytes() / 2, "the clone touched " + workingSet + " of " + config.memoryBytes());

        GuestRoot.Console second = new GuestRoot.Console();
        RestoreOptions withWorkingSet = RestoreOptions.defaults().preFault(PreFaultPolicy.AUTO, WorkingSet.read(snapshot));
        try (MicroVm clone = MicroVm.restore(snapshot, withWorkingSet, second);
             GuestRoot.Running running = new GuestRoot.Running(clone, second)) {
            assertEquals(workingSet.bytes(), clone.preFaultResult().bytesRequested(), clone.preFaultResult().toString());
            long resumed = awaitCount(second, 0);
            assertTrue(resumed > beforeSave && resumed <= afterSave + 1, cpus + " vCPUs: the second clone's first count " + resumed);
            awaitCount(second, resumed + 3);
            running.stop();
        }
    }

    /**
     * The ext4 root on a writable drive, its init appending each count to a file and syncing it
     * (vmm.count=, scripts/rootfs-init.sh): saved mid-count, with a sync's requests likely in
     * flight, its clone counts on to the end on the snapshot's copy of the disk and powers off; read
     * on the host, the file there holds every count once, in order: what the original wrote before
     * the save and the clone after it, none lost to the pause and none torn.
     */
    @KvmTest
    void aGuestSyncingItsDiskCountsOnInItsCloneAndTheCopyOfTheDiskHoldsEveryCount() throws Exception {
        int last = 30;
        Path image = Files.copy(GuestRoot.image("VMM_BOOT_ROOTFS"), dir.resolve("rootfs.ext4"));
        MicroVmConfig config = new MicroVmConfig(GuestRoot.image("VMM_BOOT_KERNEL"), GuestRoot.image("VMM_BOOT_ROOTFS_INITRD"),
                MicroVmConfig.DEFAULT_COMMAND_LINE + " root=/dev/vda vmm.count=" + last, 256L << 20, 1, null,
                List.of(new MicroVmConfig.Drive(image, false)));
        Path snapshot = dir.resolve("snapshot");
        long beforeSave;
        GuestRoot.Console console = new GuestRoot.Console();
        try (MicroVm original = MicroVm.create(config, console); GuestRoot.Running running = new GuestRoot.Running(original, console)) {
            beforeSave = awaitCount(console, 3);
            long start = System.nanoTime();
            original.snapshot(snapshot);
            System.out.printf("LinuxSnapshotTest: saved with its %d MiB writable drive in %d ms%n", Files.size(image) >> 20,
                    (System.nanoTime() - start) / 1_000_000);
            running.stop();
        }
        GuestRoot.Console cloneConsole = new GuestRoot.Console();
        try (MicroVm clone = MicroVm.restore(snapshot, RestoreOptions.defaults(), cloneConsole);
             GuestRoot.Running running = new GuestRoot.Running(clone, cloneConsole)) {
            assertEquals(snapshot.resolve("drive-0"), clone.config().drives().getFirst().image());
            long resumed = awaitCount(cloneConsole, 0);
            assertTrue(resumed > beforeSave, "the clone's first count " + resumed + ", saved after " + beforeSave);
            assertEquals(MicroVmExit.Reason.POWEROFF, running.awaitExit().reason(), "the clone counted to the end; console: " + cloneConsole.lines);
            assertEquals(last, lastCount(cloneConsole));
        }
        List<String> expected = java.util.stream.IntStream.rangeClosed(1, last).mapToObj(k -> "vmm-count " + k).toList();
        assertEquals(expected, fileOnImage(snapshot.resolve("drive-0"), "/vmm-count.log"), "the counts on the clone's disk");
    }

    /** The lines of {@code file} in the ext4 {@code image}, read with debugfs (e2fsprogs, which built the image). */
    private static List<String> fileOnImage(Path image, String file) throws Exception {
        Process debugfs = new ProcessBuilder("/usr/sbin/debugfs", "-R", "cat " + file, image.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(debugfs.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, debugfs.waitFor(), "debugfs on " + image);
        return text.lines().toList();
    }

    /**
     * Waits until the guest has printed a count of at least {@code count} (any count, for 0), for as
     * long as a boot may take; returns the first such.
     */
    private static long awaitCount(GuestRoot.Console console, long count) throws InterruptedException {
        long deadline = System.nanoTime() + GuestRoot.BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            for (String line : console.lines) {
                OptionalLong k = count(line);
                if (k.isPresent() && k.getAsLong() >= count) {
                    return k.getAsLong();
                }
            }
            Thread.sleep(50);
        }
        return fail("the guest did not count to " + count + "; console: " + console.lines);
    }

    private static long lastCount(GuestRoot.Console console) {
        return console.lines.stream().map(LinuxSnapshotTest::count).filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong).max().orElse(0);
    }

    /** The K of a whole "vmm-count: K" line; a clone's console may start mid-line, which is no count. */
    private static OptionalLong count(String line) {
        String prefix = "vmm-count: ";
        if (!line.startsWith(prefix) || line.length() == prefix.length() || line.length() > prefix.length() + 6
                || !line.substring(prefix.length()).chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(line.substring(prefix.length())));
    }
}
