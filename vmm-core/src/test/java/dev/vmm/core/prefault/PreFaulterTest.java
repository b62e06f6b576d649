// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmTest;
import dev.vmm.core.PageReaderGuest;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;
import org.junit.jupiter.api.Tag;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pre-fault API on a kernel that supports stage-2 pre-faulting. */
@Tag("prefault")
class PreFaulterTest {
    private static final long MIB = 1 << 20;
    private static final GuestMemory.Range LOW = new GuestMemory.Range(GuestAddress.of(0), 4 * MIB);
    private static final GuestMemory.Range HIGH = new GuestMemory.Range(GuestAddress.of(1L << 32), 8 * MIB);

    @KvmTest
    void everyPolicyDoesWhatItSaysOverAllGuestMemoryAndSkipsTheHole() {
        for (PreFaultPolicy policy : PreFaultPolicy.values()) {
            try (Kvm kvm = Kvm.open();
                 GuestMemory memory = GuestMemory.anonymous(List.of(LOW, HIGH));
                 Vm vm = kvm.createVm();
                 Vcpu vcpu = vm.createVcpu(0)) {
                vm.map(memory);
                PreFaultResult result = PreFaulter.of(vm, memory).vcpus(vcpu).policy(policy).run();
                long total = LOW.size() + HIGH.size();
                PreFaultPolicy expected = policy == PreFaultPolicy.AUTO ? PreFaultPolicy.FULL : policy;
                assertEquals(expected, result.applied(), result.toString());
                assertNull(result.fallbackReason(), result.toString());
                assertEquals(total, result.bytesRequested());
                boolean populates = expected == PreFaultPolicy.POPULATE || expected == PreFaultPolicy.FULL;
                boolean maps = expected == PreFaultPolicy.STAGE2 || expected == PreFaultPolicy.FULL;
                assertEquals(populates ? total : 0, result.bytesPopulated(), result.toString());
                assertEquals(maps ? total : 0, result.bytesMapped(), result.toString());
                assertEquals(maps, result.ioctlCalls() > 0, result.toString());
                assertEquals(List.of(new GuestMemory.Range(LOW.end(), HIGH.start().value() - LOW.end().value())), result.skipped());
                if (maps) {
                    assertEquals(1, result.probe().capability());
                }

                // Whatever was done, the guest still reads what the host wrote.
                memory.write(HIGH.start(), new byte[] {0x78, 0x56, 0x34, 0x12});
                PageReaderGuest.load(kvm, vcpu, memory, HIGH.start(), 1, LOW, HIGH);
                assertEquals(List.of(0x12345678), PageReaderGuest.run(vcpu, 1), policy.name());
            }
        }
    }

    @KvmTest
    void anExplicitRangeStopsAtAHoleAndReportsIt() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(LOW, HIGH));
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            GuestAddress start = GuestAddress.of(HIGH.end().value() - 2 * MIB);
            PreFaultResult result = PreFaulter.of(vm, memory).vcpus(vcpu).policy(PreFaultPolicy.STAGE2)
                    .range(start, 4 * MIB).chunkSize(4 * MIB).run();
            assertEquals(2 * MIB, result.bytesMapped(), result.toString());
            assertEquals(List.of(new GuestMemory.Range(HIGH.end(), 2 * MIB)), result.skipped());
        }
    }

    @KvmTest
    void parallelVcpusShareTheWorkAndReportProgress() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(LOW, HIGH));
             Vm vm = kvm.createVm();
             Vcpu a = vm.createVcpu(0);
             Vcpu b = vm.createVcpu(1);
             Vcpu c = vm.createVcpu(2)) {
            vm.map(memory);
            AtomicLong lastStage2 = new AtomicLong();
            PreFaultResult result = PreFaulter.of(vm, memory).vcpus(a, b, c).policy(PreFaultPolicy.FULL).chunkSize(MIB)
                    .onProgress((phase, done, total) -> {
                        if (phase == PreFaultProgress.Phase.STAGE2) {
                            lastStage2.accumulateAndGet(done, Math::max);
                        }
                    }).run();
            assertEquals(12 * MIB, result.bytesMapped(), result.toString());
            assertEquals(12 * MIB, lastStage2.get());
            assertTrue(result.ioctlCalls() >= 12, result.toString());
        }
    }

    @KvmTest
    void closingTheVmDuringAStage2PreFaultStopsItWithAClearError() throws Exception {
        long size = 8L << 30;
        try (Kvm kvm = Kvm.open(); GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(1L << 32), size)) {
            Vm vm = kvm.createVm();
            Vcpu vcpu = vm.createVcpu(0);
            vm.map(memory);
            PreFaultTask task = PreFaulter.of(vm, memory).vcpus(vcpu).policy(PreFaultPolicy.STAGE2).chunkSize(size).start();
            Thread.sleep(200); // let the single, whole-range call get going
            vm.close(); // closes the vCPU: the call in progress is interrupted and waited for
            assertTrue(!vcpu.isOpen() && !vm.isOpen());
            IllegalStateException e = assertThrows(IllegalStateException.class, task::join);
            assertEquals("The vCPU 0 is closed; create a new one.", e.getMessage());
        }
    }

    @KvmTest
    void cancelStopsALongPreFaultWithItsProgress() throws Exception {
        long size = 8L << 30;
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(1L << 32), size);
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            PreFaultTask task = PreFaulter.of(vm, memory).vcpus(vcpu).policy(PreFaultPolicy.STAGE2).chunkSize(size).start();
            Thread.sleep(200); // let the single, whole-range call get going
            task.cancel();
            PreFaultResult result = task.join();
            assertTrue(result.cancelled(), result.toString());
            assertTrue(result.bytesMapped() < size, result.toString());
            assertEquals(PreFaultPolicy.STAGE2, result.applied());
        }
    }
}
