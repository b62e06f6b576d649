package dev.vmm.bench;

import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** How many parameter combinations each benchmark should yield, to tell what a run left without a result. */
final class Combinations {
    private Combinations() {}

    /**
     * Per benchmark ({@code Class.method}) matching {@code include} and none of {@code excludes}: the
     * product of its parameters' value counts, {@code overrides} replacing the annotations' values.
     */
    static Map<String, Integer> expected(String include, List<String> excludes, Map<String, List<String>> overrides) {
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        Map<String, Integer> counts = new TreeMap<>();
        for (BenchmarkListEntry entry : BenchmarkList.defaultList()
                .find(OutputFormatFactory.createFormatInstance(silent, VerboseMode.SILENT), List.of(include), excludes)) {
            int count = 1;
            if (entry.getParams().hasValue()) {
                for (Map.Entry<String, String[]> param : entry.getParams().get().entrySet()) {
                    count *= overrides.containsKey(param.getKey()) ? overrides.get(param.getKey()).size() : param.getValue().length;
                }
            }
            String[] parts = entry.getUsername().split("\\.");
            counts.put(parts[parts.length - 2] + "." + parts[parts.length - 1], count);
        }
        return counts;
    }
}
