// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.microvm.MicroVmConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One boot of the same kernel, initrd and command line with QEMU's microvm machine on KVM, for a
 * side-by-side comparison. QEMU's insides are not visible, so only what a launcher sees is
 * measured, from the moment QEMU is spawned: its first console byte, the init's marker line (QEMU
 * has no boot-complete port; the marker is printed just before the signal), and its exit.
 * Disks are virtio-blk devices on microvm's virtio-mmio transports, in the same order as ours
 * (/dev/vda first); with ACPI, microvm declares them in its DSDT, where Debian's kernel finds them.
 * The transports are virtio 1.x (version 2), as ours: QEMU 7.2's default is the legacy interface.
 */
final class QemuBoot {
    static final String BINARY = "qemu-system-x86_64";

    private QemuBoot() {}

    static List<String> command(BootOptions o) {
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-M", "microvm", "-accel", "kvm", "-cpu", "host",
                "-m", o.memoryMib() + "M", "-smp", Integer.toString(o.cpus()), "-nodefaults", "-no-user-config",
                "-display", "none", "-no-reboot", "-serial", "stdio",
                // An i8042, as in MicroVm: with acpi=off, a reboot resets through it at once; without
                // one the kernel tries it for many seconds before falling back to a triple fault.
                "-device", "i8042", "-global", "virtio-mmio.force-legacy=false",
                "-kernel", o.kernel().toString(), "-append", o.commandLine()));
        if (o.initrd() != null) {
            cmd.addAll(List.of("-initrd", o.initrd().toString()));
        }
        for (int i = 0; i < o.drives().size(); i++) {
            MicroVmConfig.Drive drive = o.drives().get(i);
            // Absolute: QEMU takes a name with a colon before any slash for a protocol ("nbd:...").
            cmd.addAll(List.of("-drive", "file=" + optionValue(drive.image().toAbsolutePath().toString()) + ",format=raw,if=none,id=disk" + i
                    + ",readonly=" + (drive.readOnly() ? "on" : "off"), "-device", "virtio-blk-device,drive=disk" + i));
        }
        return cmd;
    }

    /**
     * A value inside a key=value,key=value option, with its commas doubled (QEMU's escape for a
     * comma that does not start the next key). -kernel, -initrd and -append take their value as it
     * is, where a doubled comma would be two.
     */
    static String optionValue(String value) {
        return value.replace(",", ",,");
    }

    static BootMeasurement boot(BootOptions o, PrintStream console) {
        BootMeasurement m = new BootMeasurement("qemu");
        ConsoleSink sink = new ConsoleSink(console);
        long spawn = System.nanoTime();
        Process qemu;
        try {
            // stdin stays an open pipe: QEMU's stdio backend takes end-of-input for a hang-up.
            qemu = new ProcessBuilder(command(o)).redirectErrorStream(true).start();
        } catch (IOException e) {
            m.exit = "QEMU did not start (" + e.getMessage() + "): install qemu-system-x86";
            return m;
        }
        long[] firstByte = {0};
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            byte[] buffer = new byte[4096];
            try (InputStream out = qemu.getInputStream()) {
                int n;
                while ((n = out.read(buffer)) > 0) {
                    if (firstByte[0] == 0) {
                        firstByte[0] = System.nanoTime();
                    }
                    sink.accept(buffer, n);
                }
            } catch (IOException e) {
                // QEMU went away; its exit status says the rest
            }
        });
        try {
            boolean ended = qemu.waitFor(o.timeoutSeconds(), TimeUnit.SECONDS);
            long end = System.nanoTime();
            if (!ended) {
                qemu.destroyForcibly().waitFor();
            }
            reader.join(2000);
            sink.flush();
            if (firstByte[0] != 0) {
                m.phases.put(BootMeasurement.Phase.FIRST_CONSOLE_BYTE, (firstByte[0] - spawn) / 1e6);
            }
            if (sink.markerNanos() != 0) {
                m.phases.put(BootMeasurement.Phase.BOOT_COMPLETE, (sink.markerNanos() - spawn) / 1e6);
            }
            m.phases.put(BootMeasurement.Phase.VM_EXIT, (end - spawn) / 1e6);
            m.exit = ended ? "qemu exited with status " + qemu.exitValue() : "timed out after " + o.timeoutSeconds() + " s";
            m.clean = ended && qemu.exitValue() == 0;
        } catch (InterruptedException e) {
            qemu.destroyForcibly();
            Thread.currentThread().interrupt();
            m.exit = "interrupted";
        }
        m.preFault = "NONE";
        m.markerLine = sink.markerLine();
        return m;
    }
}
