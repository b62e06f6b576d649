// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.KvmException;
import dev.vmm.core.MemorySlot;
import dev.vmm.core.PreFaultCall;
import dev.vmm.core.Vcpu;
import dev.vmm.core.jfr.Jfr;
import dev.vmm.core.Errno;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** A pre-fault running in the background; see {@link PreFaulter#start()}. */
public final class PreFaultTask {
    private final PreFaulter config;
    private final List<GuestMemory.Range> targets;
    private final List<GuestMemory.Range> skipped;
    private final PreFaultProbe probe;
    private final boolean populate;
    private final boolean stage2;
    private final String plannedFallback;
    private final long bytesRequested;

    private volatile boolean cancelled;
    private volatile boolean stopping;
    private final AtomicLong populated = new AtomicLong();
    private final AtomicLong mapped = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicReference<String> unsupported = new AtomicReference<>();
    private Thread coordinator;
    private PreFaultResult result;

    private PreFaultTask(PreFaulter config, List<GuestMemory.Range> targets, List<GuestMemory.Range> holes) {
        this.config = config;
        this.targets = targets;
        this.skipped = Collections.synchronizedList(new ArrayList<>(holes));
        this.bytesRequested = coveredBytes(config, targets);
        PreFaultPolicy policy = config.policy;
        boolean wantsStage2 = policy == PreFaultPolicy.STAGE2 || policy == PreFaultPolicy.FULL || policy == PreFaultPolicy.AUTO;
        this.probe = wantsStage2 ? PreFaultProbe.of(config.vm) : null;
        this.populate = policy == PreFaultPolicy.POPULATE || policy == PreFaultPolicy.FULL || policy == PreFaultPolicy.AUTO;
        String fallback = null;
        boolean stage2 = wantsStage2;
        if (wantsStage2 && !probe.advertised()) {
            fallback = "the VM does not offer KVM_PRE_FAULT_MEMORY: " + probe + " (Linux before 6.10, or KVM without EPT/NPT)";
            if (policy != PreFaultPolicy.AUTO && !config.bestEffort) {
                throw new UnsupportedOperationException("Stage-2 pre-fault is unavailable: " + fallback
                        + ". Use PreFaultPolicy.POPULATE or AUTO, or bestEffort(true).");
            }
            stage2 = false;
        } else if (wantsStage2 && config.vcpus.isEmpty()) {
            if (policy != PreFaultPolicy.AUTO) {
                throw new IllegalArgumentException("Policy " + policy + " issues KVM_PRE_FAULT_MEMORY on a vCPU: pass at least one with vcpus(...).");
            }
            fallback = "no vCPU was given to issue KVM_PRE_FAULT_MEMORY";
            stage2 = false;
        }
        this.stage2 = stage2;
        this.plannedFallback = fallback;
    }

    static PreFaultTask start(PreFaulter config, List<GuestMemory.Range> targets, List<GuestMemory.Range> holes) {
        PreFaultTask task = new PreFaultTask(config, targets, holes);
        task.coordinator = Thread.ofPlatform().name("vmm-prefault").start(task::work);
        return task;
    }

    /**
     * Stops the work early, from any thread: no new chunk starts, and KVM_PRE_FAULT_MEMORY calls in
     * progress are interrupted (they return what they mapped so far). The populate phase finishes
     * the 64 MiB chunk each of its threads is in. {@link #join()} then returns a result marked
     * cancelled, whose byte counts say how much was done.
     */
    public void cancel() {
        cancelled = true;
        stopping = true;
        config.vcpus.forEach(Vcpu::interruptPreFault);
    }

    /** {@return whether the work has finished, normally or not} */
    public boolean isDone() {
        return !coordinator.isAlive();
    }

    /**
     * Waits for the work and returns its result.
     *
     * @return what was done, {@link PreFaultResult#cancelled()} when cancelled
     *
     * @throws KvmException when the kernel failed the pre-fault (other than unsupported in best effort)
     * @throws UnsupportedOperationException when STAGE2 or FULL turned out unsupported without best effort
     */
    public PreFaultResult join() {
        boolean interrupted = false;
        while (true) {
            try {
                coordinator.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                cancel();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return result;
    }

    private void work() {
        long t0 = System.nanoTime();
        try {
            if (populate) {
                for (GuestMemory.Range target : config.populateOnly != null ? config.populateOnly : targets) {
                    if (stopping) {
                        break;
                    }
                    config.memory.populate(target.start(), target.size(), config.populateThreads,
                            bytes -> progress(PreFaultProgress.Phase.POPULATE, populated.addAndGet(bytes)),
                            () -> stopping);
                }
            }
        } catch (RuntimeException e) {
            failure.set(e);
            return;
        }
        long t1 = System.nanoTime();
        if (stage2 && !stopping) {
            runStage2();
        }
        long t2 = System.nanoTime();
        String fallback = plannedFallback;
        boolean stage2Ran = stage2 && unsupported.get() == null;
        if (unsupported.get() != null) {
            if (config.policy != PreFaultPolicy.AUTO && !config.bestEffort) {
                failure.compareAndSet(null, new UnsupportedOperationException("Stage-2 pre-fault failed although the VM advertises it: "
                        + unsupported.get() + ". Use PreFaultPolicy.AUTO or bestEffort(true) to fall back."));
            }
            fallback = unsupported.get();
        }
        if (failure.get() != null) {
            return;
        }
        PreFaultPolicy applied = populate
                ? (stage2Ran ? PreFaultPolicy.FULL : PreFaultPolicy.POPULATE)
                : (stage2Ran ? PreFaultPolicy.STAGE2 : PreFaultPolicy.NONE);
        List<GuestMemory.Range> skippedSorted = new ArrayList<>(skipped);
        skippedSorted.sort((a, b) -> a.start().compareTo(b.start()));
        result = new PreFaultResult(config.policy, applied, probe, fallback, bytesRequested, populated.get(), mapped.get(),
                skippedSorted, calls.get(), retries.get(), Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), cancelled);
        if (Jfr.recording()) {
            Jfr.preFault(result);
        }
    }

    /** Reports {@code done} bytes of {@code phase} to the progress callback and to JFR. */
    private void progress(PreFaultProgress.Phase phase, long done) {
        config.progress.update(phase, done, bytesRequested);
        if (Jfr.recording()) {
            Jfr.preFaultProgress(phase.name(), done, bytesRequested);
        }
    }

    private void runStage2() {
        ConcurrentLinkedQueue<GuestMemory.Range> chunks = new ConcurrentLinkedQueue<>();
        for (GuestMemory.Range target : targets) {
            for (long offset = 0; offset < target.size(); offset += config.chunkSize) {
                chunks.add(new GuestMemory.Range(target.start().plus(offset), Math.min(config.chunkSize, target.size() - offset)));
            }
        }
        List<Thread> workers = new ArrayList<>();
        for (Vcpu vcpu : config.vcpus.subList(0, Math.min(config.vcpus.size(), chunks.size()))) {
            workers.add(Thread.ofPlatform().name("vmm-prefault-vcpu-" + vcpu.id()).start(() -> {
                try {
                    for (GuestMemory.Range chunk; !stopping && (chunk = chunks.poll()) != null; ) {
                        preFault(vcpu, chunk);
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    stopOthers();
                }
            }));
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The kernel's loop, one chunk: reissue after partial progress until nothing remains. */
    private void preFault(Vcpu vcpu, GuestMemory.Range chunk) {
        GuestAddress gpa = chunk.start();
        long size = chunk.size();
        int fruitless = 0;
        while (size > 0 && !stopping) {
            PreFaultCall call = vcpu.preFaultMemory(gpa, size);
            calls.incrementAndGet();
            long progressed = size - call.remaining();
            if (progressed < 0 || progressed > size) {
                throw new IllegalStateException("KVM_PRE_FAULT_MEMORY reported " + call.remaining() + " bytes remaining of " + size + ": impossible.");
            }
            if (call.succeeded() && progressed == 0) {
                // Each call either shrinks the range or fails; anything else would loop forever.
                throw new IllegalStateException("KVM_PRE_FAULT_MEMORY succeeded without progress at " + gpa + "; stopping instead of spinning.");
            }
            if (progressed > 0) {
                fruitless = 0;
                progress(PreFaultProgress.Phase.STAGE2, mapped.addAndGet(progressed));
            }
            gpa = call.next();
            size = call.remaining();
            if (call.succeeded()) {
                continue;
            }
            if (call.failedWith(Errno.EINTR) || call.failedWith(Errno.EAGAIN)) {
                if (progressed == 0 && ++fruitless > config.retryBudget) {
                    throw new KvmException("KVM_PRE_FAULT_MEMORY", call.errno(), "gpa=" + gpa + " size=0x" + Long.toHexString(size)
                            + ", still failing after " + config.retryBudget + " retries without progress");
                }
                retries.incrementAndGet();
            } else if (call.failedWith(Errno.ENOENT)) {
                skipped.add(new GuestMemory.Range(gpa, size)); // a hole, or a slot deleted meanwhile
                return;
            } else if (call.failedWith(Errno.EOPNOTSUPP) || call.failedWith(Errno.ENOTTY) || call.failedWith(Errno.EINVAL)) {
                // Arguments were validated, so EINVAL/ENOTTY mean the kernel does not know the ioctl.
                unsupported.compareAndSet(null, "KVM_PRE_FAULT_MEMORY failed with " + Errno.nameOf(call.errno()) + " although "
                        + probe + (call.failedWith(Errno.EOPNOTSUPP)
                        ? " (a vCPU in a nested guest, or a confidential VM not yet finalized)"
                        : " (a kernel that uses capability 236 for something else?)"));
                stopOthers();
                return;
            } else {
                throw new KvmException("KVM_PRE_FAULT_MEMORY", call.errno(), "gpa=" + gpa + " size=0x" + Long.toHexString(size));
            }
        }
    }

    private void stopOthers() {
        stopping = true;
        config.vcpus.forEach(Vcpu::interruptPreFault);
    }

    private static long coveredBytes(PreFaulter config, List<GuestMemory.Range> targets) {
        long total = 0;
        for (GuestMemory.Range target : targets) {
            for (MemorySlot slot : config.vm.memorySlots()) {
                long from = Math.max(target.start().value(), slot.start().value());
                long to = Math.min(target.end().value(), slot.end().value());
                total += Math.max(0, to - from);
            }
        }
        return total;
    }
}
