// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import org.junit.jupiter.api.Tag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel selftest's scenarios (tools/testing/selftests/kvm/pre_fault_memory_test.c) through
 * {@link Vcpu#preFaultMemory}: a slot of 2 MiB + 4 KiB high in guest physical space.
 */
@Tag("prefault")
class PreFaultKernelContractTest {
    private static final long MIB = 1 << 20;
    private static final long PAGE = GuestMemory.PAGE_SIZE;
    private static final GuestAddress HIGH = GuestAddress.of(64L << 30); // 64 GiB
    private static final long SLOT_SIZE = 2 * MIB + PAGE;

    @KvmTest
    void partialProgressAndHolesFollowTheKernelContractAndTheGuestSeesTheData() {
        GuestMemory.Range low = new GuestMemory.Range(GuestAddress.of(0), PageReaderGuest.LOW_SIZE);
        GuestMemory.Range high = new GuestMemory.Range(HIGH, SLOT_SIZE);
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(low, high));
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            assertEquals(1, vm.checkExtension(Capability.PRE_FAULT_MEMORY), "this test needs stage-2 pre-fault support");
            long pages = SLOT_SIZE / PAGE;
            for (long i = 0; i < pages; i++) {
                memory.write(HIGH.plus(i * PAGE), intBytes(pattern(i)));
            }

            PreFaultCall whole2M = vcpu.preFaultMemory(HIGH, 2 * MIB);
            assertEquals(new PreFaultCall(HIGH.plus(2 * MIB), 0, 0), whole2M);

            // Two pages starting at the slot's last page: one is mapped, the call still succeeds.
            PreFaultCall straddling = vcpu.preFaultMemory(HIGH.plus(2 * MIB), 2 * PAGE);
            assertEquals(new PreFaultCall(HIGH.plus(2 * MIB + PAGE), PAGE, 0), straddling);
            // Reissued on what is left: no memslot there, no progress.
            PreFaultCall reissued = vcpu.preFaultMemory(straddling.next(), straddling.remaining());
            assertEquals(new PreFaultCall(HIGH.plus(2 * MIB + PAGE), PAGE, Errno.ENOENT.value()), reissued);

            PreFaultCall beyondEnd = vcpu.preFaultMemory(HIGH.plus(SLOT_SIZE), PAGE);
            assertEquals(new PreFaultCall(HIGH.plus(SLOT_SIZE), PAGE, Errno.ENOENT.value()), beyondEnd);

            PageReaderGuest.load(kvm, vcpu, memory, HIGH, pages, low, high);
            List<Integer> seen = PageReaderGuest.run(vcpu, pages);
            List<Integer> expected = new ArrayList<>();
            for (long i = 0; i < pages; i++) {
                expected.add(pattern(i));
            }
            assertEquals(expected, seen, "the guest reads what the host wrote, through the pre-faulted mappings");
        }
    }

    @KvmTest
    void deletingAndReaddingTheSlotDuringPreFaultsNeverHangsOrLosesAnError() throws Exception {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(HIGH, SLOT_SIZE);
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            MemoryRegion region = memory.regions().getFirst();
            int succeeded = 0;
            int failed = 0;
            for (int round = 0; round < 20; round++) {
                // A second thread deletes the slot at some point of this round's pre-faults and puts it back.
                long delayNanos = (round % 5) * 500_000L;
                AtomicReference<Throwable> flipperFailure = new AtomicReference<>();
                Thread flipper = Thread.ofPlatform().start(() -> {
                    try {
                        Thread.sleep(Duration.ofNanos(delayNanos));
                        vm.deleteMemoryRegion(0);
                        vm.setMemoryRegion(0, region);
                    } catch (Throwable t) {
                        flipperFailure.set(t);
                    }
                });
                GuestAddress gpa = HIGH;
                long size = SLOT_SIZE;
                for (int call = 0; size > 0; call++) {
                    assertTrue(call < 100_000, "round " + round + ": the pre-fault loop did not end");
                    PreFaultCall result = vcpu.preFaultMemory(gpa, size);
                    boolean shrank = result.remaining() < size;
                    // The selftest's invariant: a call makes progress or fails, never both, never neither.
                    assertTrue(shrank ^ !result.succeeded(), "round " + round + ": " + result + " after size 0x" + Long.toHexString(size));
                    if (result.succeeded()) {
                        succeeded++;
                    } else {
                        failed++;
                        assertTrue(result.failedWith(Errno.ENOENT) || result.failedWith(Errno.EAGAIN) || result.failedWith(Errno.EINTR),
                                "only a missing or changing slot may fail the call: " + result);
                        if (result.failedWith(Errno.ENOENT)) {
                            break; // the slot was gone at that moment
                        }
                    }
                    gpa = result.next();
                    size = result.remaining();
                }
                flipper.join();
                assertNull(flipperFailure.get());
            }
            assertTrue(succeeded > 0, "some pre-faults succeeded (" + failed + " failed)");
        }
    }

    @KvmTest
    void overlappingPreFaultsFromTwoVcpusAllSucceed() throws Exception {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(HIGH, 16 * MIB);
             Vm vm = kvm.createVm();
             Vcpu first = vm.createVcpu(0);
             Vcpu second = vm.createVcpu(1)) {
            vm.map(memory);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (Vcpu vcpu : List.of(first, second)) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int pass = 0; pass < 3; pass++) { // later passes find every page mapped already
                            GuestAddress gpa = HIGH;
                            long size = 16 * MIB;
                            while (size > 0) {
                                PreFaultCall call = vcpu.preFaultMemory(gpa, size);
                                if (!call.succeeded() && !call.failedWith(Errno.EINTR)) {
                                    throw new AssertionError("vCPU " + vcpu.id() + ": " + call);
                                }
                                gpa = call.next();
                                size = call.remaining();
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertNull(failure.get());
        }
    }

    @KvmTest
    void aKickedLongPreFaultReturnsWithItsProgress() throws Exception {
        long size = 8L << 30; // long enough under any KVM that the kick lands mid-call
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(HIGH, size);
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            AtomicReference<PreFaultCall> result = new AtomicReference<>();
            Thread worker = Thread.ofPlatform().start(() -> result.set(vcpu.preFaultMemory(HIGH, size)));
            Thread.sleep(200);
            while (worker.isAlive()) {
                vcpu.interruptPreFault();
                worker.join(10);
            }
            PreFaultCall call = result.get();
            assertTrue(call.remaining() > 0, "interrupted before the end: " + call);
            assertTrue(call.succeeded() || call.failedWith(Errno.EINTR), "progress, or EINTR without progress: " + call);
            assertEquals(HIGH.plus(size - call.remaining()), call.next(), "next = start + what was mapped");
            assertFalse(call.succeeded() && call.remaining() == size, "success means progress");
        }
    }

    private static int pattern(long page) {
        return (int) (0x5a000000 ^ (page * 2654435761L));
    }

    private static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }
}
