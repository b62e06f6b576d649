// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

import dev.vmm.core.Capability;
import dev.vmm.core.Vm;

/**
 * What {@code KVM_CHECK_EXTENSION(KVM_CAP_PRE_FAULT_MEMORY)} said on a VM's fd. The capability
 * reads 0 on kernels before 6.10 and where KVM has no two-dimensional paging; a 1 is a promise the
 * ioctl exists, not that it succeeds (a vCPU in a nested guest, a TDX or SEV-SNP VM before it is
 * finalized, or a vendor kernel that uses number 236 for another capability).
 *
 * @param capability the raw answer
 */
public record PreFaultProbe(int capability) {

    /**
     * {@return what {@code vm} answers about KVM_PRE_FAULT_MEMORY}
     *
     * @param vm the VM to probe
     */
    public static PreFaultProbe of(Vm vm) {
        return new PreFaultProbe(vm.checkExtension(Capability.PRE_FAULT_MEMORY));
    }

    /** {@return whether the VM advertises KVM_PRE_FAULT_MEMORY (a promise the ioctl exists, not that it succeeds)} */
    public boolean advertised() {
        return capability > 0;
    }

    @Override
    public String toString() {
        return "KVM_CHECK_EXTENSION(KVM_CAP_PRE_FAULT_MEMORY) on the VM fd = " + capability;
    }
}
