// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.prefault.PreFaultPolicy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The tables a reader wants from one run: first touch per policy with the pre-fault cost added
 * and the speedup against lazy faulting, pre-fault throughput, the host references, the FFM
 * overhead against C, and a fresh process's time to its first KVM_RUN.
 */
final class Summary {
    static final String FIRST_TOUCH = "FirstTouchBenchmark.touch";
    static final String POPULATE = "PreFaultBenchmark.populate";
    static final String STAGE2 = "PreFaultBenchmark.stage2";
    static final String MEMSET_POPULATED = "HostMemoryBenchmark.memsetPopulated";
    static final String MEMSET_FRESH = "HostMemoryBenchmark.memsetFresh";
    static final String IOCTL = "IoctlOverheadBenchmark.";
    static final String VM_CYCLE = "VmCycleBenchmark.";
    static final String RESTORE = "RestoreBenchmark.restoreAndTouch";
    static final String RESTORE_LATENCY = "RestoreLatencyBenchmark.restore";

    /**
     * The guest's first touch after a policy. {@code preFaultMs} is the pre-fault's own time on one
     * vCPU (0 for NONE, NaN when that benchmark was not run); {@code speedup} is the NONE row's
     * total over this row's total (NaN without both).
     */
    record FirstTouchRow(String access, int sizeMiB, String pages, PreFaultPolicy policy,
                         double preFaultMs, Measurement touch, double totalMs, double speedup) {}

    private final List<Measurement> measurements;
    private final References references;
    private final Optional<Startup> startup;
    private final List<FirstTouchRow> firstTouch;
    private final List<RestoreRow> restore;
    private final List<Combinations.Combination> missing;

    /**
     * @param startup the start-up benchmark's result, when it ran
     * @param missing combinations the run should have measured but has no result for; the summary lists them
     */
    Summary(List<Measurement> measurements, References references, Optional<Startup> startup, List<Combinations.Combination> missing) {
        this.measurements = List.copyOf(measurements);
        this.references = references;
        this.startup = startup;
        this.missing = List.copyOf(missing);
        this.firstTouch = firstTouchRows();
        this.restore = restoreRows();
    }

    /**
     * A restore followed by the guest's touch of its working set, with one policy; {@code speedup}
     * is the NONE row's time over this row's (NaN without it).
     */
    record RestoreRow(String access, int guestMiB, int touchMiB, RestorePolicy policy, Measurement time, double speedup) {}

    List<RestoreRow> restore() {
        return restore;
    }

    private List<RestoreRow> restoreRows() {
        return measurements.stream().filter(m -> m.benchmark().equals(RESTORE))
                .sorted(Comparator.comparing((Measurement m) -> m.param("access"))
                        .thenComparing(m -> Integer.parseInt(m.param("guestMiB")))
                        .thenComparing(m -> RestorePolicy.valueOf(m.param("restorePolicy"))))
                .map(m -> {
                    Map<String, String> lazy = Map.of("restorePolicy", "NONE", "access", m.param("access"),
                            "guestMiB", m.param("guestMiB"), "touchMiB", m.param("touchMiB"));
                    double speedup = find(RESTORE, lazy).map(none -> none.score() / m.score()).orElse(Double.NaN);
                    return new RestoreRow(m.param("access"), Integer.parseInt(m.param("guestMiB")), Integer.parseInt(m.param("touchMiB")),
                            RestorePolicy.valueOf(m.param("restorePolicy")), m, speedup);
                }).toList();
    }

    List<Measurement> measurements() {
        return measurements;
    }

    References references() {
        return references;
    }

    Optional<Startup> startup() {
        return startup;
    }

    List<FirstTouchRow> firstTouch() {
        return firstTouch;
    }

    private List<FirstTouchRow> firstTouchRows() {
        List<FirstTouchRow> rows = new ArrayList<>();
        for (Measurement m : sorted(FIRST_TOUCH)) {
            PreFaultPolicy policy = PreFaultPolicy.valueOf(m.param("policy"));
            double preFault = preFaultMs(policy, m.param("sizeMiB"), m.param("pages"));
            double total = preFault + m.score();
            Map<String, String> lazy = Map.of("policy", "NONE", "access", m.param("access"),
                    "sizeMiB", m.param("sizeMiB"), "pages", m.param("pages"));
            double speedup = find(FIRST_TOUCH, lazy).map(none -> none.score() / total).orElse(Double.NaN);
            rows.add(new FirstTouchRow(m.param("access"), m.sizeMiB(), m.param("pages"), policy, preFault, m, total, speedup));
        }
        return rows;
    }

    /** The pre-fault's time for the policy on one vCPU, from PreFaultBenchmark. */
    private double preFaultMs(PreFaultPolicy policy, String sizeMiB, String pages) {
        if (policy == PreFaultPolicy.NONE) {
            return 0;
        }
        Optional<Measurement> cost = policy == PreFaultPolicy.POPULATE
                ? find(POPULATE, Map.of("sizeMiB", sizeMiB, "pages", pages))
                : find(STAGE2, Map.of("sizeMiB", sizeMiB, "pages", pages, "stage2Policy", policy.name(), "vcpus", "1"));
        return cost.map(Measurement::score).orElse(Double.NaN);
    }

    private Optional<Measurement> find(String benchmark, Map<String, String> params) {
        return measurements.stream().filter(m -> m.is(benchmark, params)).findFirst();
    }

    private List<Measurement> sorted(String benchmark) {
        return measurements.stream().filter(m -> m.benchmark().equals(benchmark))
                .sorted(Comparator.comparing((Measurement m) -> m.params().getOrDefault("access", ""))
                        .thenComparing(m -> m.params().containsKey("sizeMiB") ? m.sizeMiB() : 0)
                        .thenComparing(m -> m.params().getOrDefault("pages", ""))
                        .thenComparing(m -> order(m.params().getOrDefault("policy", m.params().getOrDefault("stage2Policy", ""))))
                        .thenComparing(m -> Integer.parseInt(m.params().getOrDefault("vcpus", "0"))))
                .toList();
    }

    private static int order(String policy) {
        return policy.isEmpty() ? -1 : PreFaultPolicy.valueOf(policy).ordinal();
    }

    /** The whole summary as Markdown, headed by where it was measured. */
    String markdown(String environment) {
        StringBuilder out = new StringBuilder();
        out.append("## Results\n\n").append(environment.strip()).append("\n\n");
        out.append("Times in ms, mean ± 99.9% error half-width (the mean alone where JMH had too few samples).\n\n");
        if (!missing.isEmpty()) {
            out.append("**Incomplete run**: ").append(missing.size()).append(" parameter combinations have no result, even on a second try")
                    .append(" (an exception, or a forked JVM that died; JMH's log says which): ")
                    .append(missing.stream().map(Object::toString).collect(Collectors.joining("; "))).append(".\n\n");
        }
        if (!firstTouch.isEmpty()) {
            out.append("### First touch by the guest, per pre-fault policy\n\n")
                    .append("pre-fault: its own cost on one vCPU (PreFaultBenchmark); touch: KVM_RUN to HLT over one byte per 4 KiB page;\n")
                    .append("total = pre-fault + touch; vs NONE: lazy faulting's total over this total (above 1 is faster).\n\n")
                    .append("| access | size | pages | policy | pre-fault | touch | total | vs NONE |\n")
                    .append("|---|---:|---|---|---:|---:|---:|---:|\n");
            for (FirstTouchRow r : firstTouch) {
                out.append(row(r.access(), mib(r.sizeMiB()), r.pages(), r.policy().name(), number(r.preFaultMs()),
                        timed(r.touch()), number(r.totalMs()), Double.isNaN(r.speedup()) ? "n/a" : format("%.2fx", r.speedup())));
            }
            out.append('\n');
        }
        List<Measurement> preFaults = new ArrayList<>(sorted(POPULATE));
        preFaults.addAll(sorted(STAGE2));
        if (!preFaults.isEmpty()) {
            out.append("### Pre-fault cost over fresh memory\n\n")
                    .append("| policy | size | pages | vCPUs | time | GiB/s |\n|---|---:|---|---:|---:|---:|\n");
            for (Measurement m : preFaults) {
                boolean populate = m.benchmark().equals(POPULATE);
                out.append(row(populate ? "POPULATE" : m.param("stage2Policy"), mib(m.sizeMiB()), m.param("pages"),
                        populate ? "-" : m.param("vcpus"), timed(m), number(gibPerSecond(m))));
            }
            out.append('\n');
        }
        List<Measurement> host = new ArrayList<>(sorted(MEMSET_POPULATED));
        host.addAll(sorted(MEMSET_FRESH));
        if (!host.isEmpty()) {
            out.append("### Host references: memset of the same size\n\n")
                    .append("populated: memory already faulted in (no pre-fault can beat it); fresh: the host's own first touch.\n\n")
                    .append("| memory | size | pages | time | GiB/s |\n|---|---:|---|---:|---:|\n");
            for (Measurement m : host) {
                out.append(row(m.benchmark().equals(MEMSET_POPULATED) ? "populated" : "fresh", mib(m.sizeMiB()), m.param("pages"),
                        timed(m), number(gibPerSecond(m))));
            }
            out.append('\n');
        }
        List<Measurement> ioctls = measurements.stream().filter(m -> m.benchmark().startsWith(IOCTL)).toList();
        Optional<CProgram.Result> c = references.ioctl();
        if (!ioctls.isEmpty() || c.isPresent()) {
            out.append("### FFM overhead: KVM_CHECK_EXTENSION on /dev/kvm in a loop\n\n")
                    .append("| caller | ns per call | vs C |\n|---|---:|---:|\n");
            for (Measurement m : ioctls) {
                String ratio = c.map(r -> format("%.2fx", m.score() / r.mean())).orElse("n/a");
                out.append(row("Java, " + m.benchmark().substring(IOCTL.length()), withError(m.score(), m.error()), ratio));
            }
            c.ifPresent(r -> out.append(row("C (gcc -O2), " + r.rounds().size() + " rounds", withError(r.mean(), r.error()), "1.00x")));
            out.append('\n');
        }
        Optional<Measurement> cycle = find(VM_CYCLE + "cycle", Map.of()), create = find(VM_CYCLE + "createVm", Map.of());
        if (cycle.isPresent() || create.isPresent()) {
            out.append("### A VM's life, Java against C\n\n")
                    .append("cycle: KVM_CREATE_VM, 2 MiB of fresh memory as its slot, a vCPU in real mode, KVM_RUN to HLT, all closed;\n")
                    .append("create: KVM_CREATE_VM and close; open VM: the resident memory each of many VMs kept open adds to the\n")
                    .append("process. Java / C above 1 is slower (for VMs per second, below 1).\n\n")
                    .append("| what | Java | C (gcc -O2) | Java / C |\n|---|---:|---:|---:|\n");
            cycle.ifPresent(m -> out.append(versusC("cycle, µs", m, references.vmCycle())));
            create.ifPresent(m -> {
                out.append(versusC("create, µs", m, references.vmCreate()));
                out.append(row("create, VMs per second", format("%.0f", 1e6 / m.score()),
                        references.vmCreate().map(r -> format("%.0f", 1e6 / r.mean())).orElse("n/a"),
                        references.vmCreate().map(r -> format("%.2fx", r.mean() / m.score())).orElse("n/a")));
            });
            if (references.javaKibPerVm().isPresent() && references.cKibPerVm().isPresent()) {
                double java = references.javaKibPerVm().getAsDouble(), inC = references.cKibPerVm().getAsDouble();
                out.append(row("open VM, KiB", number(java), number(inC), inC > 0 ? format("%.2fx", java / inC) : "n/a"));
            }
            out.append('\n');
        }
        if (!restore.isEmpty()) {
            out.append("### Restore from a snapshot, then the guest touches its working set\n\n")
                    .append("Restore (memory mapped private from the snapshot's file, in the page cache) with a pre-fault policy, then KVM_RUN\n")
                    .append("until the guest, having read or written one byte per 4 KiB page of its first `touched` MiB, says it is done; all of its memory\n")
                    .append("was written before the snapshot. WORKING_SET: AUTO over the pages an earlier restore's guest touched.\n")
                    .append("vs NONE: lazy faulting's time over this one (above 1 is faster).\n\n")
                    .append("| access | guest | touched | policy | restore + touch | vs NONE |\n|---|---:|---:|---|---:|---:|\n");
            for (RestoreRow r : restore) {
                out.append(row(r.access(), mib(r.guestMiB()), mib(r.touchMiB()), r.policy().name(), timed(r.time()),
                        Double.isNaN(r.speedup()) ? "n/a" : format("%.2fx", r.speedup())));
            }
            out.append('\n');
        }
        List<Measurement> latency = measurements.stream().filter(m -> m.benchmark().equals(RESTORE_LATENCY))
                .sorted(Comparator.comparing((Measurement m) -> Integer.parseInt(m.param("guestMiB"))).thenComparing(m -> m.param("memory")))
                .toList();
        if (!latency.isEmpty()) {
            out.append("### Restore latency in a warm JVM\n\n")
                    .append("From the snapshot's files (in the page cache) to a VM ready for its first KVM_RUN, no pre-fault.\n\n")
                    .append("| guest | memory | restore |\n|---:|---|---:|\n");
            for (Measurement m : latency) {
                out.append(row(mib(Integer.parseInt(m.param("guestMiB"))), m.param("memory"), timed(m)));
            }
            out.append('\n');
        }
        startup.ifPresent(result -> out.append(startupSection(result)));
        return out.toString();
    }

    private static String startupSection(Startup result) {
        StringBuilder out = new StringBuilder("### Start-up: fresh process to first KVM_RUN\n\n")
                .append("From just before the process starts to just before its first KVM_RUN (and to the guest's HLT exit), in ms;\n")
                .append("the variants took turns run by run. Java: FirstRun, a library user's program, with the launcher's JVM options;\n")
                .append("the AOT cache was trained by one run of it. Goal: issue 16's, on a machine's own KVM (not checked here).\n")
                .append("Restore rows: FirstRestore restores a snapshot (VmSnapshot.restore, memory mapped private from its file, in the\n")
                .append("page cache) and runs its guest to its first exit, an OUT, in the HLT column.\n\n")
                .append("| variant | runs | median | min | max | to HLT exit, median | goal |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (Startup.Variant v : result.variants()) {
            Spread first = v.firstRun();
            out.append(row(v.name(), Integer.toString(v.toFirstRunMs().size()), number(first.median()), number(first.min()),
                    number(first.max()), number(v.hlt().median()), v.goalMs().isPresent() ? format("≤ %.0f", v.goalMs().getAsDouble()) : "-"));
        }
        return out.append('\n').toString();
    }

    private static String versusC(String what, Measurement java, Optional<CProgram.Result> c) {
        return row(what, timed(java), c.map(r -> withError(r.mean(), r.error())).orElse("n/a"),
                c.map(r -> format("%.2fx", java.score() / r.mean())).orElse("n/a"));
    }

    private static double gibPerSecond(Measurement m) {
        return (m.sizeMiB() / 1024.0) / (m.score() / 1000.0);
    }

    private static String timed(Measurement m) {
        return withError(m.score(), m.error());
    }

    private static String withError(double value, double error) {
        return Double.isNaN(error) ? number(value) : number(value) + " ± " + number(error);
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return value >= 100 ? format("%.0f", value) : value >= 10 ? format("%.1f", value) : format("%.2f", value);
    }

    static String mib(int sizeMiB) {
        return sizeMiB >= 1024 && sizeMiB % 1024 == 0 ? sizeMiB / 1024 + " GiB" : sizeMiB + " MiB";
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
