// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.Segment;
import dev.vmm.core.Vcpu;
import dev.vmm.core.VcpuExit;
import dev.vmm.core.Vm;

/**
 * The child process of {@link StartupBenchmark}: what a library user's program does first, through
 * the public API only: /dev/kvm, a VM, 64 KiB of guest memory with a HLT, a vCPU in real mode, and
 * KVM_RUN to the HLT exit. Prints two lines, System.nanoTime() (CLOCK_MONOTONIC, which the parent
 * shares) just before the first run() and just after the HLT exit, and nothing else. Both are
 * printed after the exit, so that printing's own cost is in neither.
 */
public final class FirstRun {
    private FirstRun() {}

    public static void main(String[] args) {
        long beforeRun, afterHlt;
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 64 * 1024);
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            memory.write(GuestAddress.of(0), new byte[] {(byte) 0xf4}); // hlt
            vm.map(memory);
            vcpu.setSpecialRegisters(vcpu.specialRegisters().cs(Segment.realMode(0, true)));
            vcpu.setRegisters(vcpu.registers().rip(0).rflags(2));
            beforeRun = System.nanoTime();
            VcpuExit exit = vcpu.run();
            while (!(exit instanceof VcpuExit.Hlt)) {
                exit = vcpu.run();
            }
            afterHlt = System.nanoTime();
        }
        System.out.println(beforeRun);
        System.out.println(afterHlt);
    }
}
