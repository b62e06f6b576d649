// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.Segment;
import dev.vmm.core.Vcpu;
import dev.vmm.core.VcpuExit;
import dev.vmm.core.Vm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A whole VM's life through the typed API, the per-VM cost a launcher of many short-lived VMs pays:
 * {@link #cycle()} creates a VM, maps 2 MiB of fresh memory as its only slot, creates a vCPU in real
 * mode at a HLT, runs it to the HLT exit and closes it all; {@link #createVm()} creates a VM and
 * closes it. The C program vm_cycle.c ({@link CProgram}) does the same ioctls in the same run, and
 * {@link #kibPerOpenVm} measures what an open VM costs in resident memory, as it does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VmCycleBenchmark {
    private static final long MEMORY = 2 << 20;
    private static final byte[] HLT = {(byte) 0xf4};

    private Kvm kvm;

    @Setup(Level.Trial)
    public void open() {
        kvm = Kvm.open();
    }

    @Benchmark
    public VcpuExit cycle() {
        try (GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), MEMORY); Vm vm = kvm.createVm()) {
            memory.write(GuestAddress.of(0), HLT);
            vm.map(memory);
            Vcpu vcpu = vm.createVcpu(0); // closed with the VM
            vcpu.setSpecialRegisters(vcpu.specialRegisters().cs(Segment.realMode(0, true)));
            vcpu.setRegisters(vcpu.registers().rip(0).rflags(2));
            VcpuExit exit;
            do {
                exit = vcpu.run();
            } while (!(exit instanceof VcpuExit.Hlt));
            return exit;
        }
    }

    @Benchmark
    public void createVm() {
        kvm.createVm().close();
    }

    @TearDown(Level.Trial)
    public void close() {
        kvm.close();
    }

    /**
     * The resident memory each of {@code count} VMs kept open adds to this process, in KiB: the
     * kernel's per-VM state charged to it and the library's objects for each VM.
     */
    static double kibPerOpenVm(int count) throws IOException {
        List<Vm> vms = new ArrayList<>(count);
        try (Kvm kvm = Kvm.open()) {
            kvm.createVm().close(); // the classes and first allocations of a VM, not counted below
            System.gc();
            long before = rssKib();
            try {
                for (int i = 0; i < count; i++) {
                    vms.add(kvm.createVm());
                }
                return (double) (rssKib() - before) / count;
            } finally {
                vms.forEach(Vm::close);
            }
        }
    }

    private static long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("/proc/self/status has no VmRSS line.");
    }
}
