// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.Kvm;
import dev.vmm.core.snapshot.RestoredVm;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the restore benchmarks share: one {@link SnapshotGuest} per trial, saved by the subclass's
 * setup, and the VM each invocation restores from it, closed after the invocation, untimed.
 */
@State(Scope.Thread)
public abstract class SnapshotTrial {
    Kvm kvm;
    SnapshotGuest snapshot;
    RestoredVm restored;

    /** Opens KVM and saves the trial's snapshot. */
    void save(int guestMiB, int touchMiB, TouchGuest.Access access) {
        kvm = Kvm.open();
        snapshot = SnapshotGuest.save(kvm, guestMiB, touchMiB, access);
    }

    @TearDown(Level.Invocation)
    public void closeRestored() {
        if (restored != null) {
            restored.close();
            restored = null;
        }
    }

    @TearDown(Level.Trial)
    public void delete() {
        if (snapshot != null) {
            snapshot.close();
        }
        if (kvm != null) {
            kvm.close();
        }
    }
}
