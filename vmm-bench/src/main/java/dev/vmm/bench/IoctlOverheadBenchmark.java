// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.Capability;
import dev.vmm.core.Kvm;
import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.kvm.KvmConstants;
import dev.vmm.ffm.kvm.KvmIoctls;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The cost of crossing from Java into the kernel: KVM_CHECK_EXTENSION on /dev/kvm, about the
 * cheapest ioctl there is, through the typed API, through the plain downcall and through a
 * critical downcall. {@link CProgram} runs the same loop in C in the same run for the ratio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IoctlOverheadBenchmark {
    private Kvm kvm;
    private int fd = -1;

    @Setup(Level.Trial)
    public void open() {
        kvm = Kvm.open();
        fd = Libc.open(Kvm.DEFAULT_PATH, Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("Cannot open " + Kvm.DEFAULT_PATH + ": errno " + Libc.errno());
        }
    }

    @Benchmark
    public int typed() {
        return kvm.checkExtension(Capability.USER_MEMORY);
    }

    @Benchmark
    public int downcall() {
        return Libc.ioctl(fd, KvmIoctls.KVM_CHECK_EXTENSION, KvmConstants.KVM_CAP_USER_MEMORY);
    }

    @Benchmark
    public int criticalDowncall() {
        return Libc.ioctlCritical(fd, KvmIoctls.KVM_CHECK_EXTENSION, KvmConstants.KVM_CAP_USER_MEMORY);
    }

    @TearDown(Level.Trial)
    public void close() {
        Libc.close(fd);
        kvm.close();
    }
}
