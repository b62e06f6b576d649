// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which vendor module implements this machine's /dev/kvm. It decides what a guest may be: VMX and
 * SVM run any x86 guest on the CPU; PVM (kvm_pvm, for machines that are themselves VMs without
 * VMX or SVM) runs guests in user mode with shadow paging, has no stage-2 tables to pre-fault, and
 * boots only kernels built as PVM guests.
 */
public enum KvmVendor {
    /** Intel VT-x, module kvm_intel. */
    INTEL_VMX("kvm_intel"),
    /** AMD-V, module kvm_amd. */
    AMD_SVM("kvm_amd"),
    /** PVM, module kvm_pvm: KVM for machines without VMX or SVM, guests in user mode. */
    PVM("kvm_pvm"),
    /** No known vendor module is loaded (no KVM, or one this library does not know). */
    UNKNOWN("");

    private final String module;

    KvmVendor(String module) {
        this.module = module;
    }

    /** {@return the kernel module's name, e.g. {@code kvm_amd}; empty for UNKNOWN} */
    public String module() {
        return module;
    }

    /** {@return the vendor module loaded on this machine, as /sys/module lists it; PVM when it is loaded} */
    public static KvmVendor ofThisMachine() {
        // PVM first: it can be loaded next to kvm_intel or kvm_amd, and then it is what /dev/kvm is.
        for (KvmVendor vendor : new KvmVendor[] {PVM, INTEL_VMX, AMD_SVM}) {
            if (Files.isDirectory(Path.of("/sys/module", vendor.module))) {
                return vendor;
            }
        }
        return UNKNOWN;
    }
}
