// SPDX-License-Identifier: Apache-2.0
/**
 * The x86 state a vCPU needs before it runs a kernel, as firmware would leave it:
 * {@link dev.vmm.core.x86.LongMode} (a flat GDT, identity page tables and the control registers of
 * 64-bit mode), {@link dev.vmm.core.x86.GuestCpuid} (KVM's supported CPUID made into one vCPU's,
 * with its APIC ID and the VM's topology) and {@link dev.vmm.core.x86.BootCpu} (boot MSRs, FPU
 * defaults, the local APIC's LINT pins). Used by {@code boot.LinuxBoot} and {@code microvm.MicroVm};
 * each works on a {@link dev.vmm.core.Vcpu} and guest memory only.
 */
package dev.vmm.core.x86;
