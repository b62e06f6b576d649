// SPDX-License-Identifier: Apache-2.0
/**
 * The pre-fault API: building page tables before the guest's first touch.
 * {@link dev.vmm.core.prefault.PreFaulter} applies a {@link dev.vmm.core.prefault.PreFaultPolicy}
 * (NONE, POPULATE: host page tables with MADV_POPULATE_WRITE; STAGE2: KVM's tables with
 * KVM_PRE_FAULT_MEMORY, Linux 6.10+; FULL: both; AUTO: FULL where the VM's
 * {@link dev.vmm.core.prefault.PreFaultProbe probe} allows it, else POPULATE), in parallel, with
 * progress, cancellation ({@link dev.vmm.core.prefault.PreFaultTask}) and the kernel's retry
 * contract, and reports what it did as a {@link dev.vmm.core.prefault.PreFaultResult}. It drives
 * {@link dev.vmm.core.GuestMemory#populate} and {@link dev.vmm.core.Vcpu#preFaultMemory}.
 */
package dev.vmm.core.prefault;
