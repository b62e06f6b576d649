// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.prefault.PreFaultPolicy;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryTest {
    private static Measurement touch(String policy, double ms) {
        return new Measurement(Summary.FIRST_TOUCH, Map.of("sizeMiB", "64", "pages", "4k", "access", "write", "policy", policy), ms, 0.5, 3, "ms/op");
    }

    private static Measurement stage2(String policy, String vcpus, double ms) {
        return new Measurement(Summary.STAGE2, Map.of("sizeMiB", "64", "pages", "4k", "stage2Policy", policy, "vcpus", vcpus), ms, Double.NaN, 1, "ms/op");
    }

    private final List<Measurement> run = List.of(
            touch("FULL", 10), touch("NONE", 100), touch("STAGE2", 60), touch("POPULATE", 30),
            new Measurement(Summary.POPULATE, Map.of("sizeMiB", "64", "pages", "4k"), 40, 1, 3, "ms/op"),
            stage2("STAGE2", "1", 20), stage2("STAGE2", "2", 12), stage2("FULL", "1", 50),
            new Measurement(Summary.MEMSET_POPULATED, Map.of("sizeMiB", "64", "pages", "4k"), 8, 0.1, 3, "ms/op"),
            new Measurement(Summary.IOCTL + "downcall", Map.of(), 300, 3, 3, "ns/op"),
            new Measurement(Summary.VM_CYCLE + "cycle", Map.of(), 1500, 30, 3, "us/op"),
            new Measurement(Summary.VM_CYCLE + "createVm", Map.of(), 400, 8, 3, "us/op"));

    @Test
    void firstTouchAddsTheOneVcpuPreFaultCostAndComparesWithLazyFaulting() {
        References references = new References(Optional.of(CProgram.Result.of(List.of(140.0, 160.0))),
                Optional.of(CProgram.Result.of(List.of(1000.0, 1000.0))), Optional.of(CProgram.Result.of(List.of(250.0, 250.0))),
                OptionalDouble.of(0.5), OptionalDouble.of(2.0));
        Summary summary = new Summary(run, references, Optional.empty(), List.of());
        List<Summary.FirstTouchRow> rows = summary.firstTouch();
        assertEquals(List.of(PreFaultPolicy.NONE, PreFaultPolicy.POPULATE, PreFaultPolicy.STAGE2, PreFaultPolicy.FULL),
                rows.stream().map(Summary.FirstTouchRow::policy).toList());
        assertEquals(List.of(0.0, 40.0, 20.0, 50.0), rows.stream().map(Summary.FirstTouchRow::preFaultMs).toList());
        assertEquals(List.of(100.0, 70.0, 80.0, 60.0), rows.stream().map(Summary.FirstTouchRow::totalMs).toList());
        assertEquals(100.0 / 70, rows.get(1).speedup(), 1e-9);
        assertEquals(1.0, rows.get(0).speedup(), 1e-9);

        String markdown = summary.markdown("measured here");
        assertTrue(!markdown.contains("Incomplete"), markdown);
        assertTrue(markdown.contains("| write | 64 MiB | 4k | POPULATE | 40.0 | 30.0 ± 0.50 | 70.0 | 1.43x |"), markdown);
        // 64 MiB in 20 ms is 3.125 GiB/s; 2 vCPUs in 12 ms is 5.21 GiB/s.
        assertTrue(markdown.contains("| STAGE2 | 64 MiB | 4k | 1 | 20.0 | 3.13 |"), markdown);
        assertTrue(markdown.contains("| STAGE2 | 64 MiB | 4k | 2 | 12.0 | 5.21 |"), markdown);
        assertTrue(markdown.contains("| populated | 64 MiB | 4k | 8.00 ± 0.10 | 7.81 |"), markdown);
        assertTrue(markdown.contains("| Java, downcall | 300 ± 3.00 | 2.00x |"), markdown);
        assertTrue(markdown.contains("| C (gcc -O2), 2 rounds | 150 ± 10.0 | 1.00x |"), markdown);
        assertTrue(markdown.contains("| cycle, µs | 1500 ± 30.0 | 1000 ± 0.00 | 1.50x |"), markdown);
        assertTrue(markdown.contains("| create, µs | 400 ± 8.00 | 250 ± 0.00 | 1.60x |"), markdown);
        // 1e6 / 400 µs is 2500 VMs/s, against 4000 in C: 0.63 of C's rate.
        assertTrue(markdown.contains("| create, VMs per second | 2500 | 4000 | 0.63x |"), markdown);
        assertTrue(markdown.contains("| open VM, KiB | 2.00 | 0.50 | 4.00x |"), markdown);
    }

    @Test
    void aMissingPreFaultResultIsShownAsUnknownNotAsFree() {
        List<Measurement> measured = List.of(touch("NONE", 100), touch("POPULATE", 30));
        List<Combinations.Combination> expected = Stream.of("NONE", "POPULATE", "STAGE2", "FULL")
                .map(policy -> new Combinations.Combination(Summary.FIRST_TOUCH, touch(policy, 1).params())).toList();
        List<Combinations.Combination> missing = Combinations.missing(expected, measured);
        assertEquals(expected.subList(2, 4), missing);
        Summary summary = new Summary(measured, References.NONE, Optional.empty(), missing);
        Summary.FirstTouchRow populate = summary.firstTouch().get(1);
        assertTrue(Double.isNaN(populate.preFaultMs()) && Double.isNaN(populate.speedup()), populate.toString());
        String markdown = summary.markdown("here");
        assertTrue(markdown.contains("| write | 64 MiB | 4k | POPULATE | n/a | 30.0 ± 0.50 | n/a | n/a |"), markdown);
        assertTrue(markdown.contains("**Incomplete run**") && markdown.contains("2 parameter combinations")
                && markdown.contains("FirstTouchBenchmark.touch{access=write, pages=4k, policy=FULL, sizeMiB=64}"), markdown);
    }

    @Test
    void thePlotIsWellFormedSvgWithTwoBarPartsPerPolicy() throws Exception {
        Summary summary = new Summary(run, References.NONE, Optional.empty(), List.of());
        String svg = SummaryPlot.svg(summary.firstTouch(), "a <test> & title");
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        // Background, two legend swatches, then pre-fault and touch parts for each of the 4 rows.
        assertEquals(1 + 2 + 2 * 4, document.getElementsByTagName("rect").getLength());
        assertTrue(svg.contains("60.0 ms, 1.67x vs NONE"), svg);
    }
}
