// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.prefault.PreFaultResult;
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
 * What the pre-fault itself costs: one pre-fault of {@code sizeMiB} of fresh, untouched memory
 * per invocation. {@code populate} is the host-side policy (its threads do not depend on vCPUs);
 * {@code stage2} runs STAGE2 and FULL split across 1, 2 or 4 vCPU threads.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PreFaultBenchmark {

    /** A fresh VM with untouched memory for each invocation. */
    @State(Scope.Thread)
    public abstract static class FreshVm extends MemoryParams {
        TouchVm vm;

        abstract int vcpuCount();

        @Setup(Level.Invocation)
        public void prepare() {
            vm = new TouchVm(sizeMiB, pageSize(), vcpuCount());
        }

        @TearDown(Level.Invocation)
        public void release() {
            vm.close();
        }
    }

    @State(Scope.Thread)
    public static class Populate extends FreshVm {
        @Override
        int vcpuCount() {
            return 1;
        }
    }

    @State(Scope.Thread)
    public static class Stage2 extends FreshVm {
        @Param({"STAGE2", "FULL"})
        public PreFaultPolicy stage2Policy;

        @Param({"1", "2", "4"})
        public int vcpus;

        @Override
        int vcpuCount() {
            return vcpus;
        }
    }

    @Benchmark
    public PreFaultResult populate(Populate state) {
        return state.vm.preFault(PreFaultPolicy.POPULATE);
    }

    @Benchmark
    public PreFaultResult stage2(Stage2 state) {
        return state.vm.preFault(state.stage2Policy);
    }
}
