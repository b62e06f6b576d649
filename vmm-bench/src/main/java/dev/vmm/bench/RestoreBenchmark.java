// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.snapshot.RestoredVm;
import dev.vmm.core.snapshot.VmSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A restored guest's first work: restore from the snapshot's files (memory mapped private, the
 * files in the page cache) with a pre-fault policy, then the guest touches {@code touchMiB}, one
 * byte per 4 KiB page, to its HLT; the time of both together, in a warm JVM. The snapshot and its
 * working set are made once per trial ({@link SnapshotGuest}); closing each restored VM is not timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RestoreBenchmark extends SnapshotTrial {
    @Param({"256", "1024"})
    public int guestMiB;

    @Param({"64"})
    public int touchMiB;

    @Param({"read", "write"})
    public String access;

    @Param({"NONE", "POPULATE", "STAGE2", "FULL", "WORKING_SET"})
    public RestorePolicy restorePolicy;

    @Setup(Level.Trial)
    public void saveSnapshot() {
        save(guestMiB, touchMiB, TouchGuest.Access.valueOf(access.toUpperCase(Locale.ROOT)));
    }

    @Benchmark
    public void restoreAndTouch() {
        restored = VmSnapshot.restore(snapshot.directory(), kvm, restorePolicy.options(snapshot.workingSet()));
        TouchGuest.run(restored.vcpus().getFirst());
    }
}
