// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.prefault.PreFaultPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The guest's first touch of {@code sizeMiB} of memory, one byte per 4 KiB page, after the memory
 * was prepared by a pre-fault policy: the time from KVM_RUN to the guest's HLT. NONE is lazy
 * faulting. Every invocation gets a fresh VM and fresh memory; building them and the pre-fault
 * happen in setup, outside the timed region ({@link PreFaultBenchmark} times the pre-fault).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FirstTouchBenchmark extends MemoryParams {
    @Param({"NONE", "POPULATE", "STAGE2", "FULL"})
    public PreFaultPolicy policy;

    @Param({"read", "write"})
    public String access;

    private TouchVm vm;

    @Setup(Level.Invocation)
    public void prepare() {
        vm = new TouchVm(sizeMiB, pageSize(), 1);
        vm.preFault(policy);
        vm.loadTouch(TouchGuest.Access.valueOf(access.toUpperCase(java.util.Locale.ROOT)));
    }

    @Benchmark
    public void touch() {
        vm.touch();
    }

    @TearDown(Level.Invocation)
    public void release() {
        vm.close();
    }
}
