package dev.vmm.examples.boot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** The boot-latency table: per phase, median, min and max over the runs of each VMM. */
final class BootReport {
    private BootReport() {}

    /** {@code runs} maps a VMM's name ("java", "qemu") to its measurements. */
    static String table(Map<String, List<BootMeasurement>> runs) {
        StringBuilder out = new StringBuilder();
        StringJoiner header = new StringJoiner(" | ");
        header.add(String.format("%-32s", "phase (ms)"));
        for (var e : runs.entrySet()) {
            header.add(String.format("%-26s", e.getKey() + " (" + e.getValue().size() + (e.getValue().size() == 1 ? " run)" : " runs)")));
        }
        out.append(header).append('\n');
        StringJoiner sub = new StringJoiner(" | ");
        sub.add(" ".repeat(32));
        runs.keySet().forEach(k -> sub.add(String.format("%8s %8s %8s", "median", "min", "max")));
        out.append(sub).append('\n');
        for (BootMeasurement.Phase phase : BootMeasurement.Phase.values()) {
            StringJoiner row = new StringJoiner(" | ");
            row.add(String.format("%-32s", phase.label));
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
                    row.add(String.format("%8s %8s %8s", "-", "", ""));
                } else {
                    any = true;
                    Collections.sort(values);
                    row.add(String.format("%8.1f %8.1f %8.1f", median(values), values.getFirst(), values.getLast()));
                }
            }
            if (any) {
                out.append(row).append('\n');
            }
        }
        return out.toString();
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
