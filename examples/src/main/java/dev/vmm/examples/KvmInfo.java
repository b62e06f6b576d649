// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples;

import dev.vmm.core.Capability;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmException;
import dev.vmm.core.Vm;

import java.util.Locale;

/**
 * Prints what this machine's KVM offers: API version, kvm_run size, and every capability the
 * toolkit knows, probed on /dev/kvm and on a fresh VM's fd.
 *
 * <pre>./vmm sandbox -- java --enable-native-access=ALL-UNNAMED -cp ... dev.vmm.examples.KvmInfo</pre>
 */
public final class KvmInfo {
    private KvmInfo() {}

    public static void main(String[] args) {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            System.out.println("KVM API version " + kvm.apiVersion() + ", kvm_run area " + kvm.vcpuMmapSize() + " bytes");
            System.out.printf(Locale.ROOT, "%-24s %8s %8s%n", "capability", "/dev/kvm", "VM fd");
            for (Capability capability : Capability.values()) {
                System.out.printf(Locale.ROOT, "%-24s %8d %8d%n", capability, kvm.checkExtension(capability), vm.checkExtension(capability));
            }
        } catch (KvmException | IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
