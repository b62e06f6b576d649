// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.jfr;

import dev.vmm.ffm.kvm.KvmConstants;
import jdk.jfr.FlightRecorder;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One vCPU's exit counters, for {@link VcpuExitsEvent}. Only the thread that runs the vCPU counts
 * (plain fields: an increment per exit, nothing more on the hot path); JFR's periodic thread reads
 * them, once a second while a recording runs, for every vCPU still open. The periodic hook is
 * registered when a vCPU is created while Flight Recorder is up (see {@link Jfr}): vCPUs
 * created before that are sampled from the next vCPU's creation on.
 */
public final class VcpuExitCounts {
    private static final Set<VcpuExitCounts> OPEN = ConcurrentHashMap.newKeySet();

    private static volatile boolean sampled;

    private final int vcpu;
    private long io, mmio, hlt, interrupted, other;

    private VcpuExitCounts(int vcpu) {
        this.vcpu = vcpu;
    }

    /** Counters for vCPU {@code vcpu}, sampled until {@link #close()}. */
    public static VcpuExitCounts open(int vcpu) {
        VcpuExitCounts counts = new VcpuExitCounts(vcpu);
        OPEN.add(counts);
        if (!sampled && Jfr.recording()) {
            registerPeriodicEvent();
        }
        return counts;
    }

    private static synchronized void registerPeriodicEvent() {
        if (!sampled) {
            FlightRecorder.addPeriodicEvent(VcpuExitsEvent.class, () -> OPEN.forEach(VcpuExitCounts::emit));
            sampled = true;
        }
    }

    /** Counts one exit with {@code kvm_run.exit_reason} {@code reason}. */
    public void exit(int reason) {
        switch (reason) {
            case KvmConstants.KVM_EXIT_IO -> io++;
            case KvmConstants.KVM_EXIT_MMIO -> mmio++;
            case KvmConstants.KVM_EXIT_HLT -> hlt++;
            case KvmConstants.KVM_EXIT_INTR -> interrupted++;
            default -> other++;
        }
    }

    /** Counts a KVM_RUN that returned for a signal or a kick without a kvm_run exit. */
    public void interrupted() {
        interrupted++;
    }

    /** Stops sampling these counters (the vCPU is closed). */
    public void close() {
        OPEN.remove(this);
    }

    private void emit() {
        VcpuExitsEvent event = new VcpuExitsEvent();
        event.vcpu = vcpu;
        event.io = io;
        event.mmio = mmio;
        event.hlt = hlt;
        event.interrupted = interrupted;
        event.other = other;
        event.commit();
    }
}
