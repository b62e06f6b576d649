// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmSandbox;
import dev.vmm.core.KvmTest;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;
import org.junit.jupiter.api.Tag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernels without stage-2 pre-fault: 6.12 with shadow paging (npt=0) and 6.1 (before the ioctl
 * existed). The probe says so, the ioctl is never issued, and AUTO falls back to POPULATE.
 */
@Tag("no-prefault")
class PreFaultUnsupportedTest {
    private static final long SIZE = 4 << 20;

    @KvmTest
    void probeReadsZeroAndStage2FailsClearlyBeforeAnyIoctl() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), SIZE);
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            PreFaultProbe probe = PreFaultProbe.of(vm);
            assertFalse(probe.advertised(), "profile " + KvmSandbox.profile() + ": " + probe);
            for (PreFaultPolicy policy : new PreFaultPolicy[] {PreFaultPolicy.STAGE2, PreFaultPolicy.FULL}) {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        () -> PreFaulter.of(vm, memory).vcpus(vcpu).policy(policy).run());
                assertEquals("Stage-2 pre-fault is unavailable: the VM does not offer KVM_PRE_FAULT_MEMORY: "
                        + "KVM_CHECK_EXTENSION(KVM_CAP_PRE_FAULT_MEMORY) on the VM fd = 0 (Linux before 6.10, or KVM without EPT/NPT)."
                        + " Use PreFaultPolicy.POPULATE or AUTO, or bestEffort(true).", e.getMessage());
            }
            PreFaultResult bestEffort = PreFaulter.of(vm, memory).vcpus(vcpu).policy(PreFaultPolicy.FULL).bestEffort(true).run();
            assertEquals(PreFaultPolicy.POPULATE, bestEffort.applied(), bestEffort.toString());
            assertEquals(0, bestEffort.ioctlCalls());
        }
    }

    @KvmTest
    void autoFallsBackToPopulateWithoutIssuingTheIoctl() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), SIZE);
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            PreFaultResult result = PreFaulter.of(vm, memory).vcpus(vcpu).policy(PreFaultPolicy.AUTO).run();
            assertEquals(PreFaultPolicy.POPULATE, result.applied(), result.toString());
            assertEquals(SIZE, result.bytesPopulated());
            assertEquals(0, result.bytesMapped());
            assertEquals(0, result.ioctlCalls(), "the ioctl is never issued when the probe says no");
            assertEquals(0, result.probe().capability());
            assertTrue(result.fallbackReason().startsWith("the VM does not offer KVM_PRE_FAULT_MEMORY"), result.fallbackReason());
        }
    }
}
