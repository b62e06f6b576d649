// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The parameter combinations a run should measure, to tell (and rerun) what it left without a result. */
final class Combinations {
    private Combinations() {}

    /** One benchmark method ({@code Class.method}, as in {@link Measurement}) with one value per parameter. */
    record Combination(String benchmark, Map<String, String> params) {
        Combination {
            params = Map.copyOf(params);
        }

        boolean measuredBy(Collection<Measurement> measurements) {
            return measurements.stream().anyMatch(m -> m.benchmark().equals(benchmark) && m.params().equals(params));
        }

        @Override
        public String toString() {
            return benchmark + new TreeMap<>(params);
        }
    }

    /**
     * Every combination of the benchmarks matching {@code include} and none of {@code excludes}, their
     * parameters' values taken from {@code overrides} where given, else from the annotations.
     */
    static List<Combination> expected(String include, List<String> excludes, Map<String, List<String>> overrides) {
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        List<Combination> all = new ArrayList<>();
        for (BenchmarkListEntry entry : BenchmarkList.defaultList()
                .find(OutputFormatFactory.createFormatInstance(silent, VerboseMode.SILENT), List.of(include), excludes)) {
            String[] parts = entry.getUsername().split("\\.");
            String benchmark = parts[parts.length - 2] + "." + parts[parts.length - 1];
            List<Map<String, String>> products = List.of(Map.of());
            if (entry.getParams().hasValue()) {
                for (Map.Entry<String, String[]> param : entry.getParams().get().entrySet()) {
                    List<String> values = overrides.getOrDefault(param.getKey(), Arrays.asList(param.getValue()));
                    List<Map<String, String>> next = new ArrayList<>();
                    for (Map<String, String> partial : products) {
                        for (String value : values) {
                            Map<String, String> extended = new TreeMap<>(partial);
                            extended.put(param.getKey(), value);
                            next.add(extended);
                        }
                    }
                    products = next;
                }
            }
            products.forEach(params -> all.add(new Combination(benchmark, params)));
        }
        return all;
    }

    /** Those of {@code expected} that no measurement answers. */
    static List<Combination> missing(List<Combination> expected, Collection<Measurement> measurements) {
        return expected.stream().filter(c -> !c.measuredBy(measurements)).toList();
    }
}
