// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import java.util.List;

/**
 * Median, min and max of a few process start-ups: a handful of slow outliers (a busy machine, a
 * page cache miss) would drag a mean, not a median.
 */
record Spread(double median, double min, double max) {

    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("No values to take a median of.");
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.getFirst(), sorted.getLast());
    }
}
