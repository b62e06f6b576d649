// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import java.util.Map;

/**
 * One JMH result: the benchmark ({@code Class.method}), its parameters, and the score with its
 * 99.9% error half-width (NaN when JMH had too few samples for one) over {@code samples}.
 */
record Measurement(String benchmark, Map<String, String> params, double score, double error, long samples, String unit) {
    Measurement {
        params = Map.copyOf(params);
    }

    String param(String name) {
        return params.get(name);
    }

    int sizeMiB() {
        return Integer.parseInt(params.get("sizeMiB"));
    }

    /** True for the benchmark {@code name} with every given parameter equal. */
    boolean is(String name, Map<String, String> wanted) {
        return benchmark.equals(name) && wanted.entrySet().stream().allMatch(e -> e.getValue().equals(params.get(e.getKey())));
    }
}
