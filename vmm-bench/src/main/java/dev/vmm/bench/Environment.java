// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.KvmVendor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;

/** Where the numbers come from: machine, kernel, JDK, and whether KVM was the nested sandbox's. */
final class Environment {
    private Environment() {}

    static String describe(Preset preset, boolean stage2) {
        String host = System.getenv().getOrDefault("VMM_BENCH_HOST", "");
        String first = String.format(Locale.ROOT, "%s, preset %s: Linux %s, %s, %d vCPUs seen by the JVM, JDK %s.",
                LocalDate.now(), preset.name(), read("/proc/sys/kernel/osrelease"), cpuModel(),
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        String kvm = sandboxProfile()
                .map(profile -> "KVM: nested, inside the QEMU TCG sandbox (profile " + profile + ")" + (host.isEmpty() ? "" : " on " + host)
                        + ". The guest's CPU and MMU are emulated: absolute times are tens of times slower than on hardware,"
                        + " and even ratios between policies are distorted. Use these numbers to see that each path works and"
                        + " roughly what it costs, not to predict real hardware.")
                .orElseGet(Environment::hostKvm);
        String preFault = stage2 ? "" : " KVM_PRE_FAULT_MEMORY is not available on this kernel: STAGE2 and FULL were not measured.";
        return first + "\n\n" + kvm + preFault;
    }

    /** One line for the plot: when, which kernel, and which KVM. */
    static String plotTitle(Preset preset) {
        String kvm = sandboxProfile()
                .map(profile -> "nested KVM in the QEMU TCG sandbox (profile " + profile + "): times distorted")
                .orElse(isPvm() ? "this machine's KVM (PVM, shadow paging)" : "this machine's KVM");
        return String.format(Locale.ROOT, "%s, preset %s, Linux %s: %s", LocalDate.now(), preset.name(), read("/proc/sys/kernel/osrelease"), kvm);
    }

    /** The sandbox kernel profile ./vmm sandbox set, or empty on the machine's own KVM. */
    static Optional<String> sandboxProfile() {
        return Optional.ofNullable(System.getenv("VMM_KERNEL_PROFILE")).filter(p -> !p.isEmpty() && !p.equals("host"));
    }

    private static String hostKvm() {
        String kvm = isPvm()
                ? "KVM: this machine's own /dev/kvm, PVM (kvm_pvm): guests run without hardware virtualisation,"
                  + " with shadow paging, so every guest page-table change and first touch goes through the host kernel."
                : "KVM: this machine's own /dev/kvm (hardware virtualisation).";
        boolean virtual = read("/proc/cpuinfo").lines().anyMatch(l -> l.startsWith("flags") && l.contains(" hypervisor"));
        return virtual ? kvm + " This machine is itself a virtual machine." : kvm;
    }

    private static boolean isPvm() {
        return KvmVendor.ofThisMachine() == KvmVendor.PVM;
    }

    private static String cpuModel() {
        return read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
