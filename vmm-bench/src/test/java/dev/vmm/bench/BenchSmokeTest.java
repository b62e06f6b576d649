// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmarks are not tests; this only checks that each one runs a short iteration on real KVM
 * without error and that the run's outputs come out. It measures nothing.
 */
@Tag("kvm")
@Tag("bench-smoke")
class BenchSmokeTest {

    @Test
    void everyBenchmarkRunsOneShortIterationAndTheOutputsAreWritten(@TempDir Path dir) throws Exception {
        Summary summary = BenchMain.run(Preset.SMOKE, BenchMain.BENCHMARKS, dir);

        // Without KVM_PRE_FAULT_MEMORY (6.12-nonpt, 6.1) the run leaves STAGE2 and FULL out, and says so.
        boolean stage2 = BenchMain.stage2Supported();
        Set<String> expected = new HashSet<>(Set.of(Summary.FIRST_TOUCH, Summary.POPULATE, Summary.MEMSET_POPULATED, Summary.MEMSET_FRESH,
                Summary.IOCTL + "typed", Summary.IOCTL + "downcall", Summary.IOCTL + "criticalDowncall",
                Summary.VM_CYCLE + "cycle", Summary.VM_CYCLE + "createVm", Summary.RESTORE, Summary.RESTORE_LATENCY));
        if (stage2) {
            expected.add(Summary.STAGE2);
        }
        Set<String> ran = summary.measurements().stream().map(Measurement::benchmark).collect(Collectors.toSet());
        assertEquals(expected, ran);
        for (Measurement m : summary.measurements()) {
            assertTrue(m.score() > 0 && Double.isFinite(m.score()), m.toString());
        }
        // 4 policies (2 without stage-2 support) x read and write; each row has its pre-fault cost.
        assertEquals(stage2 ? 8 : 4, summary.firstTouch().size(), summary.firstTouch().toString());
        for (Summary.FirstTouchRow row : summary.firstTouch()) {
            assertTrue(Double.isFinite(row.preFaultMs()) && Double.isFinite(row.speedup()), row.toString());
        }
        // 5 restore policies (3 without stage-2 support) x read and write, each against NONE.
        assertEquals(stage2 ? 10 : 6, summary.restore().size(), summary.restore().toString());
        for (Summary.RestoreRow row : summary.restore()) {
            assertTrue(Double.isFinite(row.speedup()), row.toString());
        }
        References references = summary.references();
        assertTrue(references.ioctl().orElseThrow().mean() > 0, "the C loop reported no time");
        assertTrue(references.vmCycle().orElseThrow().mean() > 0 && references.vmCreate().orElseThrow().mean() > 0,
                "the C VM cycle reported no time: " + references);
        assertTrue(references.javaKibPerVm().isPresent() && references.cKibPerVm().isPresent(), references.toString());

        BenchMain.Outputs outputs = BenchMain.Outputs.in(dir);
        assertTrue(Files.readString(outputs.json()).contains("FirstTouchBenchmark.touch"), "JMH's JSON lacks the first-touch results");
        String markdown = Files.readString(outputs.markdown());
        assertTrue(markdown.contains("| C (gcc -O2)") && markdown.contains("| cycle, µs |") && !markdown.contains("Incomplete run"), markdown);
        assertTrue(markdown.contains("| read | 16 MiB | 4 MiB | WORKING_SET |") && markdown.contains("| 16 MiB | COPY |"), markdown);
        assertEquals(!stage2, markdown.contains("STAGE2 and FULL were not measured"), markdown);
        assertTrue(Files.readString(outputs.svg()).startsWith("<svg"), "the plot is not an SVG");

        // Start-up: fresh processes, on a machine's own KVM only (under emulation it would take minutes).
        boolean host = Environment.sandboxProfile().isEmpty();
        assertEquals(host, summary.startup().isPresent(), "start-up ran: " + summary.startup());
        assertEquals(host, markdown.contains("### Start-up: fresh process to first KVM_RUN"), markdown);
        assertEquals(host, Files.exists(outputs.startup()), "startup.json written: " + Files.exists(outputs.startup()));
        if (host) {
            List<Startup.Variant> variants = summary.startup().orElseThrow().variants();
            assertEquals(List.of("Java, no AOT cache", "Java, AOT cache", "C (gcc -O2)", "Java, restore of a 16 MiB snapshot"),
                    variants.stream().map(Startup.Variant::name).toList());
            for (Startup.Variant v : variants) {
                assertEquals(Preset.SMOKE.startupRuns(), v.toFirstRunMs().size(), v.toString());
                for (int i = 0; i < v.toFirstRunMs().size(); i++) {
                    double toRun = v.toFirstRunMs().get(i), toHlt = v.toHltMs().get(i);
                    assertTrue(toRun > 0 && Double.isFinite(toRun) && toHlt >= toRun && Double.isFinite(toHlt), v.toString());
                }
                Spread spread = v.firstRun();
                assertTrue(spread.min() <= spread.median() && spread.median() <= spread.max(), v + ": " + spread);
                assertTrue(markdown.contains("| " + v.name() + " | " + v.toFirstRunMs().size() + " | "), markdown);
            }
            String json = Files.readString(outputs.startup());
            assertTrue(json.contains("\"variant\": \"Java, AOT cache\"") && json.contains("\"toFirstKvmRunMs\""), json);
        }
    }

    @Test
    void anOnlyPatternThatMatchesNothingIsOneClearSentence(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchMain.run(Preset.SMOKE, "dev\\.vmm\\.bench\\..*(NoSuchThing).*", dir));
        assertTrue(e.getMessage().startsWith("--only matches no benchmark here") && e.getMessage().contains("FirstTouchBenchmark.touch")
                && e.getMessage().contains("StartupBenchmark"), e.getMessage());
    }
}
