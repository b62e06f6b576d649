// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.snapshot.SnapshotException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./vmm restore's command line, without KVM: what it restores with, and one sentence for each mistake. */
class RestoreLauncherTest {
    @TempDir
    Path dir;

    @Test
    void theOptionsBecomeTheLibrarysRestoreOptions() {
        RestoreOptions lazy = RestoreLauncher.Options.parse(dir.toString()).restoreOptions();
        assertEquals(RestoreOptions.defaults(), lazy);
        RestoreOptions copied = RestoreLauncher.Options.parse(dir.toString(), "--copy", "--prefault", "stage2").restoreOptions();
        assertEquals(RestoreOptions.defaults().memory(RestoreOptions.Memory.COPY).preFault(PreFaultPolicy.STAGE2), copied);
        assertEquals(600, RestoreLauncher.Options.parse(dir.toString()).timeoutSeconds());
        assertEquals(5, RestoreLauncher.Options.parse("--timeout", "5", dir.toString()).timeoutSeconds());
        assertTrue(RestoreLauncher.Options.parse(dir.toString(), "--record-working-set").recordWorkingSet());
        RestoreOptions beside = RestoreLauncher.Options.parse(dir.toString(), "--net", "tap=vmm1", "--vsock", "uds=/run/clone.sock",
                "--net", "tap=vmm2").restoreOptions();
        assertEquals(RestoreOptions.defaults().tap(0, "vmm1").tap(1, "vmm2").vsockSocket(Path.of("/run/clone.sock")), beside,
                "each --net the next interface's tap, in order");
    }

    @Test
    void eachMistakeIsOneSentence() {
        assertSentence("No snapshot directory given", () -> RestoreLauncher.Options.parse("--copy"));
        assertSentence("is not a directory", () -> RestoreLauncher.Options.parse(dir.resolve("missing").toString()));
        assertSentence("Unknown argument '--fast'", () -> RestoreLauncher.Options.parse(dir.toString(), "--fast"));
        assertSentence("Unknown argument", () -> RestoreLauncher.Options.parse(dir.toString(), dir.toString()));
        assertSentence("--prefault takes one of", () -> RestoreLauncher.Options.parse(dir.toString(), "--prefault", "some"));
        assertSentence("--timeout takes a whole number from 1 to 86400", () -> RestoreLauncher.Options.parse(dir.toString(), "--timeout", "0"));
        assertSentence("Option --timeout needs a value", () -> RestoreLauncher.Options.parse(dir.toString(), "--timeout"));
        assertSentence("leave out --prefault, --working-set and --copy",
                () -> RestoreLauncher.Options.parse(dir.toString(), "--record-working-set", "--prefault", "AUTO"));
        assertSentence("--net takes tap=NAME in a restore, not 'tap=vmm1,mac=02:00:00:00:00:01': the guest keeps the MAC address it had",
                () -> RestoreLauncher.Options.parse(dir.toString(), "--net", "tap=vmm1,mac=02:00:00:00:00:01"));
        assertSentence("--vsock takes uds=PATH in a restore, not 'cid=4,uds=/x': the guest keeps the CID it had",
                () -> RestoreLauncher.Options.parse(dir.toString(), "--vsock", "cid=4,uds=/x"));
        assertSentence("--vsock is given twice", () -> RestoreLauncher.Options.parse(dir.toString(), "--vsock", "uds=/x", "--vsock", "uds=/y"));
        SnapshotException missing = assertThrows(SnapshotException.class,
                () -> RestoreLauncher.Options.parse(dir.toString(), "--working-set").restoreOptions());
        assertTrue(missing.getMessage().contains("record one with RestoredVm.workingSet()") && missing.getMessage().lines().count() == 1,
                missing.getMessage());
    }

    private static void assertSentence(String expected, Executable parse) {
        BootException e = assertThrows(BootException.class, parse);
        assertTrue(e.getMessage().contains(expected) && e.getMessage().endsWith(".") && e.getMessage().lines().count() == 1, e.getMessage());
    }
}
