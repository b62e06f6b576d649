// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.microvm.BootEvent;
import dev.vmm.core.microvm.MicroVm;
import dev.vmm.core.snapshot.SnapshotException;
import dev.vmm.core.snapshot.SnapshotProgress;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

/**
 * {@code --snapshot-after-boot}: a thread that waits for the guest's boot-complete and then saves
 * the running MicroVm ({@link MicroVm#snapshot}), which goes on running.
 */
final class SnapshotAfterBoot {
    static final String SAVED = "snapshot of the running guest saved in ";

    private final CompletableFuture<String> outcome = new CompletableFuture<>();

    private SnapshotAfterBoot() {}

    /**
     * Starts watching {@code vm}, which is about to run, for boot-complete; then saves it into
     * {@code directory}, its progress going to {@code progress} (or nowhere, when null).
     */
    static SnapshotAfterBoot start(MicroVm vm, Path directory, PrintStream progress) {
        SnapshotAfterBoot s = new SnapshotAfterBoot();
        Thread.ofPlatform().daemon().name("vmm-snapshot-after-boot").start(() -> s.outcome.complete(s.save(vm, directory, progress)));
        return s;
    }

    /**
     * A line per 10% of the memory file and of each drive's copy, once the snapshot has taken a
     * second: a small guest's is done before that and says nothing, a large disk's copy says how far it is.
     */
    static SnapshotProgress printer(PrintStream out, LongSupplier nanoTime) {
        if (out == null) {
            return SnapshotProgress.NONE;
        }
        long start = nanoTime.getAsLong();
        Map<String, Integer> lastDecile = new HashMap<>();
        return (part, index, done, total) -> {
            if (nanoTime.getAsLong() - start < 1_000_000_000L) {
                return;
            }
            String what = part == SnapshotProgress.Part.MEMORY ? "memory" : "drive " + index + "'s copy";
            int decile = total == 0 ? 10 : (int) (done * 10 / total);
            if (decile > lastDecile.getOrDefault(what, -1)) {
                lastDecile.put(what, decile);
                out.printf(Locale.ROOT, "vmm boot: snapshot %s %d%% (%d of %d MiB)%n", what, decile * 10, done >> 20, total >> 20);
            }
        };
    }

    private String save(MicroVm vm, Path directory, PrintStream progress) {
        try {
            while (vm.timeOf(BootEvent.BOOT_COMPLETE).isEmpty()) {
                if (vm.timeOf(BootEvent.VM_EXIT).isPresent()) {
                    return "no snapshot: the guest ended before its boot-complete.";
                }
                Thread.sleep(1);
            }
            long complete = vm.timeOf(BootEvent.BOOT_COMPLETE).getAsLong();
            long start = System.nanoTime();
            vm.snapshot(directory, printer(progress, System::nanoTime));
            long end = System.nanoTime();
            return String.format(Locale.ROOT, "%s%s in %.1f ms, %.1f ms after boot-complete (./vmm restore %s)", SAVED, directory,
                    (end - start) / 1e6, (start - complete) / 1e6, directory);
        } catch (SnapshotException | IllegalStateException e) {
            return "no snapshot: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no snapshot: interrupted.";
        }
    }

    /** {@return what became of the snapshot, once the VM has ended: saved, or why not} */
    String outcome() {
        try {
            return outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no snapshot: interrupted.";
        } catch (ExecutionException e) {
            return "no snapshot: " + e.getCause();
        }
    }
}
