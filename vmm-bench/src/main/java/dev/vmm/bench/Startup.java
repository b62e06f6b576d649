// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * What {@link StartupBenchmark} measured: per variant, every run's time from just before the
 * process start to its first KVM_RUN and to the guest's HLT exit, in ms.
 */
record Startup(List<Variant> variants) {
    Startup {
        variants = List.copyOf(variants);
    }

    /** @param goalMs issue 16's goal for the first KVM_RUN on the host profile, empty for the C reference */
    record Variant(String name, OptionalDouble goalMs, List<Double> toFirstRunMs, List<Double> toHltMs) {
        Variant {
            toFirstRunMs = List.copyOf(toFirstRunMs);
            toHltMs = List.copyOf(toHltMs);
        }

        Spread firstRun() {
            return Spread.of(toFirstRunMs);
        }

        Spread hlt() {
            return Spread.of(toHltMs);
        }
    }

    /** startup.json: each variant's spread and every run, for one's own statistics. */
    String json() {
        return variants.stream().map(v -> "  {\"variant\": \"" + v.name() + "\", \"runs\": " + v.toFirstRunMs().size()
                        + ", \"goalMs\": " + (v.goalMs().isPresent() ? number(v.goalMs().getAsDouble()) : "null")
                        + ",\n   \"toFirstKvmRunMs\": " + json(v.firstRun(), v.toFirstRunMs())
                        + ",\n   \"toHltExitMs\": " + json(v.hlt(), v.toHltMs()) + "}")
                .collect(Collectors.joining(",\n", "[\n", "\n]\n"));
    }

    private static String json(Spread spread, List<Double> values) {
        return "{\"median\": " + number(spread.median()) + ", \"min\": " + number(spread.min()) + ", \"max\": " + number(spread.max())
                + ", \"values\": " + values.stream().map(Startup::number).collect(Collectors.joining(", ", "[", "]")) + "}";
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
