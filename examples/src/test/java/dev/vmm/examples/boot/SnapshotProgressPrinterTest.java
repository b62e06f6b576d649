// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.snapshot.SnapshotProgress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.snapshot.SnapshotProgress.Part.DRIVE;
import static dev.vmm.core.snapshot.SnapshotProgress.Part.MEMORY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@code --snapshot-after-boot}'s progress lines: none for a quick snapshot, a line per 10% of each part once it takes a second. */
class SnapshotProgressPrinterTest {
    private static final long MIB = 1 << 20;

    @Test
    void aSnapshotDoneWithinASecondSaysNothingALongerOneEachTenthOfEachPart() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SnapshotProgress printer = SnapshotAfterBoot.printer(new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> now[0]);
        for (long mib = 1; mib <= 20; mib++) {
            now[0] = mib * 40_000_000L; // 20 updates over 0.8 s
            printer.update(MEMORY, 0, mib * MIB, 20 * MIB);
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8), "a snapshot under a second");
        now[0] = 1_000_000_000L;
        for (long mib = 1; mib <= 100; mib++) {
            printer.update(DRIVE, 1, mib * MIB, 100 * MIB);
        }
        printer.update(MEMORY, 0, 5 * MIB, 10 * MIB);
        printer.update(MEMORY, 0, 6 * MIB, 10 * MIB);
        printer.update(MEMORY, 0, 10 * MIB, 10 * MIB);
        List<String> expected = new ArrayList<>();
        expected.add("vmm boot: snapshot drive 1's copy 0% (1 of 100 MiB)"); // its first update after the second
        for (int tenth = 1; tenth <= 10; tenth++) {
            expected.add("vmm boot: snapshot drive 1's copy " + tenth * 10 + "% (" + tenth * 10 + " of 100 MiB)");
        }
        expected.addAll(List.of("vmm boot: snapshot memory 50% (5 of 10 MiB)", "vmm boot: snapshot memory 60% (6 of 10 MiB)",
                "vmm boot: snapshot memory 100% (10 of 10 MiB)"));
        assertEquals(expected, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void withoutAStreamThereIsNoPrinter() {
        assertSame(SnapshotProgress.NONE, SnapshotAfterBoot.printer(null, System::nanoTime));
    }
}
