// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.devices.UnhandledAccesses;
import dev.vmm.core.microvm.BootEvent;
import dev.vmm.core.microvm.MicroVm;
import dev.vmm.core.microvm.MicroVmExit;
import dev.vmm.core.prefault.PreFaultProgress;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.OptionalLong;

/** One boot with this library's {@link MicroVm}, in this JVM. */
final class JavaBoot {
    private JavaBoot() {}

    /**
     * Boots once and measures.
     *
     * @param console where the guest's console is echoed, or null
     * @param progress where pre-fault progress goes, or null
     */
    static BootMeasurement boot(BootOptions options, ProcessClock clock, PrintStream console, PrintStream progress) {
        BootMeasurement m = new BootMeasurement("java");
        ConsoleSink sink = new ConsoleSink(console);
        long main = System.nanoTime();
        try (MicroVm vm = MicroVm.create(options.vmConfig(), sink, progressPrinter(progress))) {
            if (console != null && System.console() != null) {
                forwardTerminalInput(vm); // a guest with a shell can be typed at, a line at a time
            }
            SnapshotAfterBoot snapshot = options.snapshotAfterBoot() == null ? null : SnapshotAfterBoot.start(vm, options.snapshotAfterBoot(), progress);
            MicroVmExit exit = vm.run(Duration.ofSeconds(options.timeoutSeconds()));
            sink.flush();
            String saved = snapshot == null ? null : snapshot.outcome();
            m.phases.put(BootMeasurement.Phase.JVM_START_TO_MAIN, clock.startToMainMs());
            long previous = main;
            BootEvent[] setup = {BootEvent.IMAGES_CHECKED, BootEvent.VM_CREATED, BootEvent.MEMORY_READY, BootEvent.PRE_FAULTED, BootEvent.KERNEL_LOADED};
            BootMeasurement.Phase[] setupPhases = {BootMeasurement.Phase.IMAGE_CHECK, BootMeasurement.Phase.VM_CREATE,
                    BootMeasurement.Phase.MEMORY_SETUP, BootMeasurement.Phase.PRE_FAULT, BootMeasurement.Phase.KERNEL_LOAD};
            for (int i = 0; i < setup.length; i++) {
                long t = vm.timeOf(setup[i]).orElseThrow();
                m.phases.put(setupPhases[i], (t - previous) / 1e6);
                previous = t;
            }
            at(m, BootMeasurement.Phase.FIRST_KVM_RUN, vm.timeOf(BootEvent.FIRST_RUN), clock);
            at(m, BootMeasurement.Phase.FIRST_CONSOLE_BYTE, vm.timeOf(BootEvent.FIRST_CONSOLE_BYTE), clock);
            at(m, BootMeasurement.Phase.BOOT_COMPLETE, vm.timeOf(BootEvent.BOOT_COMPLETE), clock);
            at(m, BootMeasurement.Phase.VM_EXIT, vm.timeOf(BootEvent.VM_EXIT), clock);
            m.exit = exit.toString();
            m.clean = exit.clean();
            if (saved != null) {
                System.err.println("vmm boot: " + saved);
                m.clean &= saved.startsWith(SnapshotAfterBoot.SAVED);
            }
            m.preFault = vm.preFaultResult() == null ? "NONE" : vm.preFaultResult().requested() + " -> " + vm.preFaultResult().applied();
            UnhandledAccesses.Snapshot unhandled = vm.unhandledAccesses();
            m.unhandledAccesses = unhandled.total();
            m.unhandledTop = unhandled.top().stream().limit(4).map(Object::toString).collect(Collectors.joining(", "));
            m.consoleBytesDropped = vm.consoleBytesDropped();
        }
        m.markerLine = sink.markerLine();
        return m;
    }

    private static void forwardTerminalInput(MicroVm vm) {
        Thread.ofPlatform().daemon().name("console-input").start(() -> {
            byte[] buffer = new byte[256];
            try {
                for (int n; (n = System.in.read(buffer)) > 0; ) {
                    vm.consoleInput(Arrays.copyOf(buffer, n));
                }
            } catch (IOException | RuntimeException e) {
                // the terminal or the VM went away: no more input
            }
        });
    }

    private static void at(BootMeasurement m, BootMeasurement.Phase phase, OptionalLong nanos, ProcessClock clock) {
        if (nanos.isPresent()) {
            m.phases.put(phase, clock.atMs(nanos.getAsLong()));
        }
    }

    /** A line per 10% of each pre-fault phase: large pre-faults take seconds, emulated ones minutes. */
    private static PreFaultProgress progressPrinter(PrintStream out) {
        if (out == null) {
            return PreFaultProgress.NONE;
        }
        int[] lastDecile = {-1, -1};
        return (phase, done, total) -> {
            int decile = total == 0 ? 10 : (int) (done * 10 / total);
            synchronized (lastDecile) {
                if (decile > lastDecile[phase.ordinal()]) {
                    lastDecile[phase.ordinal()] = decile;
                    out.printf(Locale.ROOT, "vmm boot: pre-fault %s %d%% (%d of %d MiB)%n", phase.name().toLowerCase(Locale.ROOT), decile * 10, done >> 20, total >> 20);
                }
            }
        };
    }
}
