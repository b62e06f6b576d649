// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.Kvm;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.snapshot.RestoredVm;
import dev.vmm.core.snapshot.VmSnapshot;

import java.nio.file.Path;

/**
 * The restoring child process of {@link StartupBenchmark}: what a program that resumes a saved VM
 * does first, through the public API only: /dev/kvm, then {@link VmSnapshot#restore} of the
 * snapshot directory given as its argument (memory mapped private from the file), and KVM_RUN
 * until the guest's first exit ({@link SnapshotGuest}'s touch program, which ends in an OUT).
 * Prints System.nanoTime() just before the first run() and just after that exit, as
 * {@link FirstRun} does.
 */
public final class FirstRestore {
    private FirstRestore() {}

    public static void main(String[] args) {
        long beforeRun, afterExit;
        try (Kvm kvm = Kvm.open(); RestoredVm restored = VmSnapshot.restore(Path.of(args[0]), kvm, RestoreOptions.defaults())) {
            beforeRun = System.nanoTime();
            TouchGuest.run(restored.vcpus().getFirst());
            afterExit = System.nanoTime();
        }
        System.out.println(beforeRun);
        System.out.println(afterExit);
    }
}
