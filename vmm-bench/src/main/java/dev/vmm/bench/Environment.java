package dev.vmm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/** Where the numbers come from: machine, kernel, JDK, and whether KVM was the nested sandbox's. */
final class Environment {
    private Environment() {}

    static String describe(Preset preset, boolean stage2) {
        String profile = System.getenv("VMM_KERNEL_PROFILE");
        boolean sandbox = profile != null && !profile.equals("host");
        String host = System.getenv().getOrDefault("VMM_BENCH_HOST", "");
        String first = String.format("%s, preset %s: Linux %s, %s, %d vCPUs seen by the JVM, JDK %s.",
                LocalDate.now(), preset.name(), read("/proc/sys/kernel/osrelease"), cpuModel(),
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        String kvm = sandbox
                ? "KVM: nested, inside the QEMU TCG sandbox (profile " + profile + ")" + (host.isEmpty() ? "" : " on " + host)
                  + ". The guest's CPU and MMU are emulated: absolute times are tens of times slower than on hardware,"
                  + " and even ratios between policies are distorted. Use these numbers to see that each path works and"
                  + " roughly what it costs, not to predict real hardware."
                : hostKvm();
        String preFault = stage2 ? "" : " KVM_PRE_FAULT_MEMORY is not available on this kernel: STAGE2 and FULL were not measured.";
        return first + "\n\n" + kvm + preFault;
    }

    private static String hostKvm() {
        String kvm = Files.isDirectory(Path.of("/sys/module/kvm_pvm"))
                ? "KVM: this machine's own /dev/kvm, PVM (kvm_pvm): guests run without hardware virtualisation,"
                  + " with shadow paging, so every guest page-table change and first touch goes through the host kernel."
                : "KVM: this machine's own /dev/kvm (hardware virtualisation).";
        boolean virtual = read("/proc/cpuinfo").lines().anyMatch(l -> l.startsWith("flags") && l.contains(" hypervisor"));
        return virtual ? kvm + " This machine is itself a virtual machine." : kvm;
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
