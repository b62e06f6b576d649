// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.snapshot.RestoredVm;
import dev.vmm.core.snapshot.VmSnapshot;
import dev.vmm.core.snapshot.WorkingSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The restore benchmarks' snapshot, made once per trial: the touch guest (ending in an OUT, for
 * the VM has an in-kernel irqchip) stopped before its first instruction, with {@code guestMiB} of memory at 1 GiB, all of it written (as a guest that has
 * run a while has), and its program set to touch the first {@code touchMiB}. Beside it, the working
 * set recorded from one restore and run of it. The files live in a temporary directory (tmpfs in
 * the sandbox), so restores read them from the page cache: the warm case.
 */
final class SnapshotGuest implements AutoCloseable {
    private final Path directory;
    private final WorkingSet workingSet;

    private SnapshotGuest(Path directory, WorkingSet workingSet) {
        this.directory = directory;
        this.workingSet = workingSet;
    }

    static SnapshotGuest save(Kvm kvm, int guestMiB, int touchMiB, TouchGuest.Access access) {
        if (touchMiB > guestMiB) {
            throw new IllegalArgumentException("The guest cannot touch " + touchMiB + " MiB of its " + guestMiB + " MiB.");
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("vmm-restore-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GuestMemory.Range region = new GuestMemory.Range(TouchGuest.REGION_START, (long) guestMiB << 20);
        try {
            try (GuestMemory memory = GuestMemory.create(GuestMemory.Backing.ANONYMOUS, List.of(TouchGuest.LOW, region));
                 Vm vm = kvm.createVm()) {
                vm.createIrqchip(); // a snapshot saves the LAPIC and the irqchips
                vm.map(memory);
                Vcpu vcpu = vm.createVcpu(0);
                memory.fill(region.start(), region.size(), (byte) 0x5a);
                TouchGuest.load(kvm, vcpu, memory, new GuestMemory.Range(region.start(), (long) touchMiB << 20), access, TouchGuest.End.OUT);
                VmSnapshot.save(directory, vm, List.of(vcpu), memory);
            }
            WorkingSet workingSet;
            try (RestoredVm restored = VmSnapshot.restore(directory, kvm, RestoreOptions.defaults())) {
                TouchGuest.run(restored.vcpus().getFirst());
                workingSet = restored.workingSet();
            }
            workingSet.write(directory);
            return new SnapshotGuest(directory, workingSet);
        } catch (RuntimeException e) {
            delete(directory);
            throw e;
        }
    }

    Path directory() {
        return directory;
    }

    WorkingSet workingSet() {
        return workingSet;
    }

    @Override
    public void close() {
        delete(directory);
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
