// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmTest;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Bad arguments are refused in Java, before any ioctl, with the bad value named. Runs on every kernel. */
class PreFaultArgumentsTest {
    private static final long MIB = 1 << 20;

    @KvmTest
    void badArgumentsAreIllegalArgumentExceptionsNamingTheValue() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 2 * MIB);
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            assertEquals("The VM has no memory slots: map the guest memory into it first (vm.map(memory)).",
                    message(() -> PreFaulter.of(vm, memory).vcpus(vcpu).policy(PreFaultPolicy.POPULATE).run()));
            vm.map(memory);

            assertEquals("Pre-fault address 0x1001 is not 4 KiB aligned: round it down to a multiple of 0x1000.",
                    message(() -> vcpu.preFaultMemory(GuestAddress.of(0x1001), 4096)));
            assertEquals("Pre-fault size 0x1234 is not a positive multiple of 4 KiB.",
                    message(() -> vcpu.preFaultMemory(GuestAddress.of(0), 0x1234)));
            assertEquals("Pre-fault size 0x0 is not a positive multiple of 4 KiB.",
                    message(() -> vcpu.preFaultMemory(GuestAddress.of(0), 0)));
            assertEquals("Pre-fault range 0xfffffffffffff000 + 0x2000 wraps around the 64-bit address space.",
                    message(() -> vcpu.preFaultMemory(GuestAddress.of(-4096), 8192)));

            assertEquals("Pre-fault range 0x1001 + 0x1000 is invalid: Guest memory start 0x1001 is not 4 KiB aligned: use a multiple of 0x1000.",
                    message(() -> PreFaulter.of(vm, memory).range(GuestAddress.of(0x1001), 4096).run()));
            assertEquals("Pre-fault range 0x0 + 0x0 is invalid: Guest memory size 0 is not a positive multiple of 4096 bytes.",
                    message(() -> PreFaulter.of(vm, memory).range(GuestAddress.of(0), 0).run()));
            assertEquals("Pre-fault range [0x40000000, 0x40200000) touches no memory slot of the VM; its slots are [slot 0 [0x0, 0x200000)].",
                    message(() -> PreFaulter.of(vm, memory).range(GuestAddress.of(1L << 30), 2 * MIB).run()));
            assertEquals("Chunk size 0x1800 is not a positive multiple of 4 KiB.",
                    message(() -> PreFaulter.of(vm, memory).chunkSize(6144)));
            assertEquals("Populate threads must be at least 1, not 0.",
                    message(() -> PreFaulter.of(vm, memory).populateThreads(0)));
        }
    }

    private static String message(Runnable call) {
        return assertThrows(IllegalArgumentException.class, call::run).getMessage();
    }
}
