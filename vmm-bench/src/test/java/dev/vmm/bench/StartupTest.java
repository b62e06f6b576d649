// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up benchmark's own logic, without KVM: reading a child's lines, the statistics, the outputs. */
class StartupTest {

    @Test
    void theMedianOfAnOddCountIsTheMiddleValueAndOfAnEvenCountTheMeanOfTheTwoMiddleOnes() {
        assertEquals(new Spread(20, 10, 90), Spread.of(List.of(90.0, 10.0, 20.0)));
        assertEquals(new Spread(25, 10, 90), Spread.of(List.of(30.0, 90.0, 10.0, 20.0)));
        assertEquals(new Spread(7, 7, 7), Spread.of(List.of(7.0)));
        assertThrows(IllegalArgumentException.class, () -> Spread.of(List.of()));
    }

    @Test
    void aChildsTwoLinesAreReadAgainstTheParentsStartTime() throws IOException {
        FirstRunTimes times = FirstRunTimes.parse("1000000000\n1002500000\n", 900_000_000L, "child");
        assertEquals(100.0, times.toFirstRunMs(), 1e-9);
        assertEquals(102.5, times.toHltMs(), 1e-9);
    }

    @Test
    void aLineThatIsNotANumberIsOneClearError() {
        IOException e = assertThrows(IOException.class,
                () -> FirstRunTimes.parse("1000\nPicked up JAVA_TOOL_OPTIONS: -Xmx1g\n", 0, "The start-up child 'C'"));
        assertEquals("The start-up child 'C' printed 'Picked up JAVA_TOOL_OPTIONS: -Xmx1g' where a time in ns belongs.", e.getMessage());
    }

    @Test
    void tooFewLinesOrTimesBeforeTheStartAreErrorsToo() {
        IOException one = assertThrows(IOException.class, () -> FirstRunTimes.parse("1000\n", 0, "child"));
        assertTrue(one.getMessage().startsWith("child printed 1 lines instead of 2"), one.getMessage());
        IOException none = assertThrows(IOException.class, () -> FirstRunTimes.parse("", 0, "child"));
        assertTrue(none.getMessage().startsWith("child printed 0 lines instead of 2"), none.getMessage());
        IOException early = assertThrows(IOException.class, () -> FirstRunTimes.parse("500\n600\n", 1000, "child"));
        assertTrue(early.getMessage().contains("out of order"), early.getMessage());
        IOException backwards = assertThrows(IOException.class, () -> FirstRunTimes.parse("2000\n1500\n", 1000, "child"));
        assertTrue(backwards.getMessage().contains("out of order"), backwards.getMessage());
    }

    @Test
    void onlyRunsItByDefaultAndWhenItsNameMatches() {
        assertTrue(StartupBenchmark.selectedBy(BenchMain.BENCHMARKS));
        assertTrue(StartupBenchmark.selectedBy("dev\\.vmm\\.bench\\..*(Startup).*"));
        assertTrue(StartupBenchmark.selectedBy("dev\\.vmm\\.bench\\..*(VmCycle|Startup).*"));
        assertFalse(StartupBenchmark.selectedBy("dev\\.vmm\\.bench\\..*(VmCycle).*"));
        assertFalse(StartupBenchmark.selectedBy("dev\\.vmm\\.bench\\..*(FirstTouch).*"));
        // --only Startup selects no JMH benchmark: BenchMain runs the start-up benchmark alone.
        assertTrue(Combinations.expected("dev\\.vmm\\.bench\\..*(Startup).*", List.of(), Map.of()).isEmpty());
        assertFalse(Combinations.expected(BenchMain.BENCHMARKS, List.of(), Map.of()).isEmpty());
    }

    @Test
    void theSummaryAndTheJsonShowEachVariantsSpreadAndTheGoals() {
        Startup startup = new Startup(List.of(
                new Startup.Variant("Java, no AOT cache", OptionalDouble.of(150), List.of(300.0, 250.0, 280.0), List.of(320.0, 270.0, 290.0)),
                new Startup.Variant("C (gcc -O2)", OptionalDouble.empty(), List.of(2.0, 3.0), List.of(2.5, 3.5))));
        String markdown = new Summary(List.of(), References.NONE, Optional.of(startup), List.of()).markdown("here");
        assertTrue(markdown.contains("### Start-up: fresh process to first KVM_RUN"), markdown);
        assertTrue(markdown.contains("| Java, no AOT cache | 3 | 280 | 250 | 300 | 290 | ≤ 150 |"), markdown);
        assertTrue(markdown.contains("| C (gcc -O2) | 2 | 2.50 | 2.00 | 3.00 | 3.00 | - |"), markdown);
        String json = startup.json();
        assertTrue(json.contains("{\"variant\": \"Java, no AOT cache\", \"runs\": 3, \"goalMs\": 150.000,"), json);
        assertTrue(json.contains("\"toFirstKvmRunMs\": {\"median\": 280.000, \"min\": 250.000, \"max\": 300.000, \"values\": [300.000, 250.000, 280.000]}"), json);
        assertTrue(json.contains("\"goalMs\": null"), json);
        assertTrue(json.strip().startsWith("[") && json.strip().endsWith("]"), json);
    }

    @Test
    void noSectionWithoutTheStartupBenchmark() {
        assertFalse(new Summary(List.of(), References.NONE, Optional.empty(), List.of()).markdown("here").contains("Start-up"));
    }
}
