// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.jfr;

import dev.vmm.core.prefault.PreFaultResult;
import jdk.jfr.FlightRecorder;

/**
 * Where the library emits its events. Callers ask {@link #recording()} first: the first event class
 * a JVM loads starts Flight Recorder's machinery (over 100 classes, tens of milliseconds), which a
 * VMM started without JFR must not pay; with JFR up (a recording started, or
 * {@code -XX:StartFlightRecording}) the events are committed, and JFR's own settings decide which
 * are kept.
 */
public final class Jfr {
    private Jfr() {}

    /** Whether Flight Recorder is up in this JVM (a static read once it is). */
    public static boolean recording() {
        return FlightRecorder.isInitialized();
    }

    /** KVM_CREATE_VM of {@code vmType} took {@code nanos}. */
    public static void vmCreated(int vmType, long nanos) {
        VmCreatedEvent event = new VmCreatedEvent();
        if (event.shouldCommit()) {
            event.vmType = vmType;
            event.createTime = nanos;
            event.commit();
        }
    }

    /** A microVM reached {@code moment} (a BootEvent's name), {@code sincePrevious} ns after the one before. */
    public static void bootPhase(String moment, long sincePrevious) {
        BootPhaseEvent event = new BootPhaseEvent();
        if (event.shouldCommit()) {
            event.moment = moment;
            event.sincePrevious = sincePrevious;
            event.commit();
        }
    }

    /** {@code done} of {@code total} bytes of a pre-fault's {@code phase} are complete. */
    public static void preFaultProgress(String phase, long done, long total) {
        PreFaultProgressEvent event = new PreFaultProgressEvent();
        if (event.shouldCommit()) {
            event.phase = phase;
            event.done = done;
            event.total = total;
            event.commit();
        }
    }

    /** A pre-fault ended with {@code result}. */
    public static void preFault(PreFaultResult result) {
        PreFaultEvent event = new PreFaultEvent();
        if (event.shouldCommit()) {
            event.requested = result.requested().name();
            event.applied = result.applied().name();
            event.fallbackReason = result.fallbackReason();
            event.bytesRequested = result.bytesRequested();
            event.bytesPopulated = result.bytesPopulated();
            event.bytesMapped = result.bytesMapped();
            event.populateTime = result.populateTime().toNanos();
            event.stage2Time = result.stage2Time().toNanos();
            event.ioctlCalls = result.ioctlCalls();
            event.retries = result.retries();
            event.cancelled = result.cancelled();
            event.commit();
        }
    }
}
