// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import java.util.List;
import java.util.Map;

/**
 * How much of the suite runs and how often. Parameters not listed keep the benchmarks' own
 * defaults (the full matrix).
 *
 * @param forks      JVMs per parameter combination (0: in this JVM, for the smoke check only)
 * @param warmups    warm-up iterations (invocations, for the single-shot benchmarks)
 * @param iterations measured iterations
 * @param seconds    length of one iteration of the time-based (ioctl) benchmarks
 * @param params     parameter overrides
 * @param cCalls     ioctls per round of the C loop
 * @param cRounds    timed rounds of the C loop and of the C VM cycle
 * @param vmCycles   VM cycles (and VM creations) per round of the C VM cycle
 * @param startupRuns fresh processes per variant of {@link StartupBenchmark}
 */
record Preset(String name, int forks, int warmups, int iterations, double seconds,
              Map<String, List<String>> params, long cCalls, int cRounds, int vmCycles, int startupRuns) {

    /** The same preset with another number of forks. */
    Preset withForks(int count) {
        return new Preset(name + ", " + count + " forks", count, warmups, iterations, seconds, params, cCalls, cRounds, vmCycles, startupRuns);
    }

    /** Every size, page size and vCPU count; about 21 minutes in the nested sandbox on 2 cores. */
    static final Preset FULL = new Preset("full", 1, 1, 3, 1, Map.of(), 2_000_000, 5, 1000, 30);

    /** 64 MiB only, both page sizes, 1 and 2 vCPUs: about 4 minutes in the sandbox on 2 cores. */
    static final Preset QUICK = new Preset("quick", 1, 1, 3, 1,
            Map.of("sizeMiB", List.of("64"), "vcpus", List.of("1", "2"), "guestMiB", List.of("256")), 500_000, 3, 300, 10);

    /** One short iteration of each benchmark in this JVM: proves they run, measures nothing. */
    static final Preset SMOKE = new Preset("smoke", 0, 0, 1, 0.1,
            Map.of("sizeMiB", List.of("8"), "pages", List.of("4k"), "vcpus", List.of("1"),
                    "guestMiB", List.of("16"), "touchMiB", List.of("4")), 10_000, 1, 5, 1);
}
