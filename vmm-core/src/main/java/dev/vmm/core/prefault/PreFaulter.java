// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.MemorySlot;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;

import java.util.ArrayList;
import java.util.List;

/**
 * Prepares guest memory for fast first touches, by a {@link PreFaultPolicy}: populating host page
 * tables, building KVM's stage-2 tables with {@code KVM_PRE_FAULT_MEMORY}, or both.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=pre-faulter}
 *
 * The stage-2 loop follows the kernel's contract: it reissues the ioctl after partial progress,
 * retries EINTR and EAGAIN while a bounded budget of fruitless calls remains, and treats a call that
 * neither shrinks the range nor fails as a kernel bug rather than spinning. Configure, then call
 * {@link #run()} or {@link #start()}; a PreFaulter is not meant to be shared between threads.
 */
public final class PreFaulter {
    static final long DEFAULT_CHUNK = 64L << 20;

    final Vm vm;
    final GuestMemory memory;
    List<Vcpu> vcpus = List.of();
    PreFaultPolicy policy = PreFaultPolicy.AUTO;
    GuestAddress start;
    long length;
    List<GuestMemory.Range> ranges; // instead of start and length, when set
    List<GuestMemory.Range> populateOnly; // the populate phase's ranges, when not the whole work's
    boolean bestEffort;
    int populateThreads = Runtime.getRuntime().availableProcessors();
    long chunkSize = DEFAULT_CHUNK;
    int retryBudget = 100;
    PreFaultProgress progress = PreFaultProgress.NONE;

    private PreFaulter(Vm vm, GuestMemory memory) {
        this.vm = vm;
        this.memory = memory;
    }

    /**
     * {@return a pre-fault of {@code memory} to configure, with policy AUTO, all of the memory, and no vCPUs}
     *
     * @param vm the VM whose stage-2 tables to build
     * @param memory the guest memory, which must be mapped into {@code vm}
     */
    public static PreFaulter of(Vm vm, GuestMemory memory) {
        return new PreFaulter(vm, memory);
    }

    /**
     * Sets the vCPUs that issue KVM_PRE_FAULT_MEMORY, each from its own thread. Needed for STAGE2 and FULL.
     *
     * @param vcpus vCPUs of the VM
     * @return this pre-faulter
     */
    public PreFaulter vcpus(Vcpu... vcpus) {
        return vcpus(List.of(vcpus));
    }

    /**
     * Sets the vCPUs that issue KVM_PRE_FAULT_MEMORY; see {@link #vcpus(Vcpu...)}.
     *
     * @param vcpus vCPUs of the VM
     * @return this pre-faulter
     */
    public PreFaulter vcpus(List<Vcpu> vcpus) {
        this.vcpus = List.copyOf(vcpus);
        return this;
    }

    /**
     * Sets the policy; AUTO by default.
     *
     * @param policy what to build: host page tables, stage-2 tables, both, or what the VM allows
     * @return this pre-faulter
     */
    public PreFaulter policy(PreFaultPolicy policy) {
        this.policy = policy;
        return this;
    }

    /**
     * Restricts the work to {@code [start, start + length)}. A hole inside it stops the stage-2 work
     * of the chunk that meets it (KVM answers ENOENT) and is reported in {@link PreFaultResult#skipped()}.
     * Without a range, all guest memory is pre-faulted and holes between slots are skipped.
     *
     * @param start the range's first guest physical address
     * @param length its length in bytes
     * @return this pre-faulter
     */
    public PreFaulter range(GuestAddress start, long length) {
        this.start = start;
        this.length = length;
        this.ranges = null;
        return this;
    }

    /**
     * Restricts the work to {@code ranges}, in their order: a working set rather than one span.
     * Each must touch a memory slot; holes inside them are skipped as for {@link #range}.
     *
     * @param ranges the ranges, at least one
     * @return this pre-faulter
     */
    public PreFaulter ranges(List<GuestMemory.Range> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("A pre-fault needs at least one range.");
        }
        this.ranges = List.copyOf(ranges);
        this.start = null;
        return this;
    }

    /**
     * Restricts the populate phase of POPULATE, FULL and AUTO to {@code ranges}, while the stage-2
     * phase covers the whole work: over memory mapped private from a file, the pages the guest
     * will write get private copies and writable stage-2 entries, and the pages it will only read
     * map the file's page cache read-only, copied never. Empty: no populate phase at all.
     *
     * @param ranges the ranges to populate, which should lie in the work's range
     * @return this pre-faulter
     */
    public PreFaulter populateOnly(List<GuestMemory.Range> ranges) {
        this.populateOnly = List.copyOf(ranges);
        return this;
    }

    /**
     * With best effort, STAGE2 and FULL do what the kernel allows instead of failing when stage-2
     * pre-faulting turns out unsupported (probe reads 0, or EOPNOTSUPP); the result says so.
     *
     * @param bestEffort true to fall back instead of failing; false by default
     * @return this pre-faulter
     */
    public PreFaulter bestEffort(boolean bestEffort) {
        this.bestEffort = bestEffort;
        return this;
    }

    /**
     * Sets the threads for host populate; the number of processors by default.
     *
     * @param threads at least 1
     * @return this pre-faulter
     * @throws IllegalArgumentException when {@code threads} is less than 1
     */
    public PreFaulter populateThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("Populate threads must be at least 1, not " + threads + ".");
        }
        this.populateThreads = threads;
        return this;
    }

    /**
     * Bytes per KVM_PRE_FAULT_MEMORY call (64 MiB by default): the grain of progress reports,
     * cancellation checks and the split across vCPUs.
     *
     * @param bytes a positive multiple of 4 KiB
     * @return this pre-faulter
     * @throws IllegalArgumentException when {@code bytes} is not a positive multiple of 4 KiB
     */
    public PreFaulter chunkSize(long bytes) {
        if (bytes < GuestMemory.PAGE_SIZE || bytes % GuestMemory.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("Chunk size 0x" + Long.toHexString(bytes) + " is not a positive multiple of 4 KiB.");
        }
        this.chunkSize = bytes;
        return this;
    }

    /**
     * Sets how many calls in a row may end in EINTR or EAGAIN without progress before giving up (100 by default).
     *
     * @param calls 0 or more
     * @return this pre-faulter
     * @throws IllegalArgumentException when {@code calls} is negative
     */
    public PreFaulter retryBudget(int calls) {
        if (calls < 0) {
            throw new IllegalArgumentException("Retry budget must not be negative, got " + calls + ".");
        }
        this.retryBudget = calls;
        return this;
    }

    /**
     * Sets where progress goes; nowhere by default.
     *
     * @param progress called from the working threads after each chunk
     * @return this pre-faulter
     */
    public PreFaulter onProgress(PreFaultProgress progress) {
        this.progress = progress;
        return this;
    }

    /**
     * Pre-faults on the calling thread (plus the working threads) and returns what was done.
     *
     * @return what ran, how many bytes, calls and retries, and what was skipped
     * @throws IllegalArgumentException when the VM maps no memory, the range touches no slot, or a
     *     policy that needs vCPUs has none
     * @throws UnsupportedOperationException when STAGE2 or FULL is unsupported without best effort
     * @throws dev.vmm.core.KvmException when the kernel fails the pre-fault
     */
    public PreFaultResult run() {
        return start().join();
    }

    /**
     * Starts the work in the background; {@link PreFaultTask#cancel()} stops it early.
     *
     * @return the running task, whose {@link PreFaultTask#join()} gives the result
     * @throws IllegalArgumentException when the VM maps no memory, the range touches no slot, or a
     *     policy that needs vCPUs has none
     * @throws UnsupportedOperationException when STAGE2 or FULL is unsupported without best effort
     */
    public PreFaultTask start() {
        List<GuestMemory.Range> targets = new ArrayList<>();
        List<GuestMemory.Range> holes = new ArrayList<>();
        plan(targets, holes);
        return PreFaultTask.start(this, targets, holes);
    }

    /**
     * Splits the requested range into the parts that meet a memory slot ({@code targets}) and the
     * parts between slots ({@code holes}). Throws for arguments KVM would reject or that meet no slot.
     */
    private void plan(List<GuestMemory.Range> targets, List<GuestMemory.Range> holes) {
        List<MemorySlot> slots = vm.memorySlots();
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("The VM has no memory slots: map the guest memory into it first (vm.map(memory)).");
        }
        if (ranges != null) {
            for (GuestMemory.Range range : ranges) {
                targets.add(touchingASlot(range, slots));
            }
            return;
        }
        if (start == null) {
            GuestAddress previousEnd = null;
            for (MemorySlot slot : slots) {
                if (previousEnd != null && previousEnd.compareTo(slot.start()) < 0) {
                    holes.add(new GuestMemory.Range(previousEnd, slot.start().value() - previousEnd.value()));
                }
                targets.add(new GuestMemory.Range(slot.start(), slot.size()));
                previousEnd = slot.end();
            }
            return;
        }
        // Checked here so the kernel never sees a request it would refuse with EINVAL.
        GuestMemory.Range range;
        try {
            range = new GuestMemory.Range(start, length);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Pre-fault range " + start + " + 0x" + Long.toHexString(length) + " is invalid: " + e.getMessage(), e);
        }
        targets.add(touchingASlot(range, slots));
    }

    private static GuestMemory.Range touchingASlot(GuestMemory.Range range, List<MemorySlot> slots) {
        boolean touchesSlot = slots.stream().anyMatch(slot ->
                slot.start().compareTo(range.end()) < 0 && range.start().compareTo(slot.end()) < 0);
        if (!touchesSlot) {
            throw new IllegalArgumentException("Pre-fault range " + range + " touches no memory slot of the VM; its slots are " + slots + ".");
        }
        return range;
    }
}
