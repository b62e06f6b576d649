// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host-side references for the first-touch numbers: memset of memory that is already
 * populated (what no pre-fault can beat) and memset of fresh anonymous memory (the host's own
 * first touch, page faults included), for the same sizes and page sizes.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HostMemoryBenchmark {

    /** Host memory of the benchmark's size and page size, not mapped into any VM. */
    @State(Scope.Thread)
    public abstract static class HostMemory extends MemoryParams {
        GuestMemory memory;

        void create() {
            memory = GuestMemory.create(pageSize().backing(),
                    List.of(new GuestMemory.Range(GuestAddress.of(0), (long) sizeMiB << 20)));
        }

        void memset() {
            memory.fill(GuestAddress.of(0), memory.size(), (byte) 1);
        }
    }

    @State(Scope.Thread)
    public static class Populated extends HostMemory {
        @Setup(Level.Trial)
        public void prepare() {
            create();
            memory.populate(GuestAddress.of(0), memory.size(), Runtime.getRuntime().availableProcessors(), done -> {});
        }

        @TearDown(Level.Trial)
        public void release() {
            memory.close();
        }
    }

    @State(Scope.Thread)
    public static class Fresh extends HostMemory {
        @Setup(Level.Invocation)
        public void prepare() {
            create();
        }

        @TearDown(Level.Invocation)
        public void release() {
            memory.close();
        }
    }

    @Benchmark
    public void memsetPopulated(Populated state) {
        state.memset();
    }

    @Benchmark
    public void memsetFresh(Fresh state) {
        state.memset();
    }
}
