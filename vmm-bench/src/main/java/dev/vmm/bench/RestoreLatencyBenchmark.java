// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.snapshot.RestoreOptions;
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

import java.util.concurrent.TimeUnit;

/**
 * Restore latency in a warm JVM: from the snapshot's files (in the page cache) to a VM whose vCPU
 * is ready for its first KVM_RUN, with no pre-fault; the memory mapped private from the file, or
 * copied into fresh memory. Closing each restored VM is not timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RestoreLatencyBenchmark extends SnapshotTrial {
    @Param({"256", "1024"})
    public int guestMiB;

    @Param({"MAP_PRIVATE", "COPY"})
    public RestoreOptions.Memory memory;

    @Setup(Level.Trial)
    public void saveSnapshot() {
        save(guestMiB, 1, TouchGuest.Access.WRITE);
    }

    @Benchmark
    public RestoredVm restore() {
        restored = VmSnapshot.restore(snapshot.directory(), kvm, RestoreOptions.defaults().memory(memory));
        return restored;
    }
}
