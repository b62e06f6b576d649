// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmTest;
import dev.vmm.core.Vm;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cancelling a pre-fault in its populate phase (host page tables only: any KVM will do). */
class PreFaultCancelTest {
    private static final long CHUNK = 64L << 20;

    @KvmTest
    void cancelStopsThePopulatePhaseWithinAChunk() throws Exception {
        long size = 4L << 30;
        int threads = 2;
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), size);
             Vm vm = kvm.createVm()) {
            vm.map(memory);
            AtomicLong reported = new AtomicLong();
            PreFaultTask task = PreFaulter.of(vm, memory).policy(PreFaultPolicy.POPULATE).populateThreads(threads)
                    .onProgress((phase, done, total) -> reported.accumulateAndGet(done, Math::max)).start();
            while (reported.get() == 0) {
                Thread.sleep(1);
            }
            long atCancel = reported.get();
            task.cancel();
            PreFaultResult result = task.join();
            assertTrue(result.cancelled(), result.toString());
            assertEquals(PreFaultPolicy.POPULATE, result.applied(), result.toString());
            // Each thread finishes the chunk it is in, and one more may have started before it saw the
            // flag. Counted, not timed: an emulated sandbox takes seconds for one chunk.
            assertTrue(result.bytesPopulated() <= atCancel + 2 * threads * CHUNK,
                    "populated " + (result.bytesPopulated() >> 20) + " MiB after the cancel at " + (atCancel >> 20) + " MiB: " + result);
            assertTrue(result.bytesPopulated() < size, result.toString());
            assertEquals(0, result.bytesPopulated() % CHUNK, "whole chunks: " + result);
        }
    }
}
