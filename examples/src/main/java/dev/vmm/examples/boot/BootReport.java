// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** The boot-latency table: per phase, median, min and max over the runs of each VMM. */
final class BootReport {
    private BootReport() {}

    /** {@code runs} maps a VMM's name ("java", "qemu") to its measurements. */
    static String table(Map<String, List<BootMeasurement>> runs) {
        if (runs.values().stream().allMatch(list -> list.size() == 1)) {
            return singleRun(runs);
        }
        StringBuilder out = new StringBuilder();
        StringJoiner header = new StringJoiner(" | ");
        header.add(String.format(Locale.ROOT, "%-32s", "phase (ms)"));
        for (var e : runs.entrySet()) {
            header.add(String.format(Locale.ROOT, "%-26s", e.getKey() + " (" + e.getValue().size() + (e.getValue().size() == 1 ? " run)" : " runs)")));
        }
        out.append(header).append('\n');
        StringJoiner sub = new StringJoiner(" | ");
        sub.add(" ".repeat(32));
        runs.keySet().forEach(k -> sub.add(String.format(Locale.ROOT, "%8s %8s %8s", "median", "min", "max")));
        out.append(sub).append('\n');
        for (BootMeasurement.Phase phase : BootMeasurement.Phase.values()) {
            StringJoiner row = new StringJoiner(" | ");
            row.add(String.format(Locale.ROOT, "%-32s", phase.label));
            boolean any = false;
            for (List<BootMeasurement> list : runs.values()) {
                List<Double> values = new ArrayList<>();
                list.forEach(m -> {
                    Double v = m.phases.get(phase);
                    if (v != null) {
                        values.add(v);
                    }
                });
                if (values.isEmpty()) {
                    row.add(String.format(Locale.ROOT, "%8s %8s %8s", "-", "", ""));
                } else {
                    any = true;
                    Collections.sort(values);
                    row.add(String.format(Locale.ROOT, "%8.1f %8.1f %8.1f", median(values), values.getFirst(), values.getLast()));
                }
            }
            if (any) {
                out.append(row).append('\n');
            }
        }
        return out.toString();
    }

    /** One boot per VMM: one column of values each. */
    private static String singleRun(Map<String, List<BootMeasurement>> runs) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-32s", "phase"));
        runs.keySet().forEach(vmm -> out.append(String.format(Locale.ROOT, " | %10s", vmm + " (ms)")));
        out.append('\n');
        for (BootMeasurement.Phase phase : BootMeasurement.Phase.values()) {
            if (runs.values().stream().allMatch(list -> list.getFirst().phases.get(phase) == null)) {
                continue;
            }
            out.append(String.format(Locale.ROOT, "%-32s", phase.label));
            for (List<BootMeasurement> list : runs.values()) {
                Double v = list.getFirst().phases.get(phase);
                out.append(v == null ? String.format(Locale.ROOT, " | %10s", "-") : String.format(Locale.ROOT, " | %10.1f", v));
            }
            out.append('\n');
        }
        return out.toString();
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
