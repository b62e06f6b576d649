// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the KVM tests know about the kernel they run on (set by ./vmm sandbox). */
public final class KvmSandbox {
    private KvmSandbox() {}

    /** The sandbox kernel profile ("6.12", "6.12-nonpt", "6.1"), or "host" for a real /dev/kvm. */
    public static String profile() {
        String profile = System.getenv("VMM_KERNEL_PROFILE");
        return profile == null || profile.isEmpty() ? "host" : profile;
    }

    /**
     * Whether KVM on this kernel uses two-dimensional paging (EPT or NPT), read from the loaded
     * module's parameter, independent of anything this project computes.
     */
    public static boolean tdpEnabled() throws IOException {
        if (isPvm()) {
            return false; // PVM runs guests without hardware virtualization: shadow paging only
        }
        for (String parameter : new String[] {"/sys/module/kvm_amd/parameters/npt", "/sys/module/kvm_intel/parameters/ept"}) {
            Path path = Path.of(parameter);
            if (Files.exists(path)) {
                String value = Files.readString(path).trim();
                return value.equals("Y") || value.equals("1");
            }
        }
        throw new IllegalStateException("None of kvm_amd, kvm_intel and kvm_pvm is loaded.");
    }

    /** Whether KVM here is PVM (kvm_pvm), the vendor module for machines without VMX or SVM. */
    public static boolean isPvm() {
        return KvmVendor.ofThisMachine() == KvmVendor.PVM;
    }

    /** The running kernel's (major, minor) version, e.g. {6, 12}. */
    public static int[] kernelVersion() throws IOException {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        String[] parts = release.split("[.-]");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }
}
