// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.x86;

import dev.vmm.core.CpuidEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes the CPUID that KVM supports ({@code KVM_GET_SUPPORTED_CPUID}) into the CPUID of one vCPU of
 * a VM: its own APIC ID in every leaf that reports one, a topology of {@code cpus} single-threaded
 * cores in one package, and the hypervisor bit set. Without this, every vCPU would claim the host
 * CPU's APIC ID and topology, and Linux would see one CPU many times over.
 *
 * <p>KVM emulates the TSC-deadline timer but leaves its bit out of the supported CPUID (api.rst,
 * KVM_CAP_TSC_DEADLINE_TIMER); with {@code tscDeadline} the bit is set. Linux then arms the LAPIC
 * timer by deadline and skips calibrating it against the PIT, which fails when time is uneven (as
 * under nested emulation) and leaves the guest without high-resolution timers.
 */
public final class GuestCpuid {
    /** Most vCPUs: APIC IDs 0 to 254 fit CPUID's 8-bit fields (255 is the xAPIC broadcast ID). */
    public static final int MAX_VCPUS = 255;
    private static final int ECX_HYPERVISOR = 1 << 31;
    private static final int ECX_TSC_DEADLINE = 1 << 24;
    private static final int EDX_HTT = 1 << 28;

    private GuestCpuid() {}

    /**
     * {@return the CPUID for vCPU {@code apicId} of {@code cpus}, to pass to {@code Vcpu.setCpuid}}
     *
     * @param supported what KVM supports, {@code Kvm.supportedCpuid()}
     * @param apicId the vCPU's APIC ID, 0 to {@code cpus - 1}
     * @param cpus the number of vCPUs in the VM, 1 to {@link #MAX_VCPUS}
     * @param tscDeadline whether KVM has KVM_CAP_TSC_DEADLINE_TIMER
     * @throws IllegalArgumentException when {@code apicId} or {@code cpus} is out of range
     */
    public static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int apicId, int cpus, boolean tscDeadline) {
        if (cpus < 1 || apicId < 0 || apicId >= cpus || cpus > MAX_VCPUS) {
            throw new IllegalArgumentException("APIC ID " + apicId + " of " + cpus + " vCPUs: need 0 <= id < cpus <= " + MAX_VCPUS + ".");
        }
        int coreBits = 32 - Integer.numberOfLeadingZeros(cpus - 1); // ceil(log2(cpus))
        List<CpuidEntry> out = new ArrayList<>(supported.size());
        for (CpuidEntry e : supported) {
            out.add(switch (e.function()) {
                // Initial APIC ID, logical processors per package, CLFLUSH line of 64 bytes.
                case 0x1 -> e.withRegisters(e.eax(), (apicId << 24) | (cpus << 16) | (8 << 8),
                        e.ecx() | ECX_HYPERVISOR | (tscDeadline ? ECX_TSC_DEADLINE : 0), cpus > 1 ? e.edx() | EDX_HTT : e.edx() & ~EDX_HTT);
                // Intel deterministic cache parameters: cores per package in EAX[31:26], one thread per cache.
                case 0x4 -> e.withRegisters((e.eax() & 0x3fff) | ((cpus - 1) << 26), e.ebx(), e.ecx(), e.edx());
                // Extended topology (Intel; AMD since Zen 2): level 0 = one thread, level 1 = cores.
                case 0xb, 0x1f -> switch (e.index()) {
                    case 0 -> e.withRegisters(0, 1, (1 << 8), apicId);
                    case 1 -> e.withRegisters(coreBits, cpus, (2 << 8) | 1, apicId);
                    default -> e.withRegisters(0, 0, e.index(), apicId);
                };
                // AMD: cores per package - 1, and the bits of the APIC ID that number them.
                case 0x80000008 -> e.withRegisters(e.eax(), e.ebx(), (coreBits << 12) | (cpus - 1), e.edx());
                // AMD extended APIC ID, compute unit (core) ID, one thread per core, node 0.
                case 0x8000001e -> e.withRegisters(apicId, apicId & 0xff, 0, 0);
                default -> e;
            });
        }
        return out;
    }
}
