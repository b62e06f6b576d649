// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.x86;

import dev.vmm.core.Vcpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The state firmware leaves in a CPU before an operating system starts, beyond CPUID and the
 * registers: boot MSRs, the x87/SSE control words, and the local APIC's LINT0/LINT1 pins wired as
 * a PC wires them (LINT0 takes the 8259 PIC's interrupts, LINT1 is NMI). Needs the in-kernel
 * irqchip for the LAPIC part.
 */
public final class BootCpu {
    private static final int MSR_IA32_TSC = 0x10;
    private static final int MSR_IA32_SYSENTER_CS = 0x174;
    private static final int MSR_IA32_SYSENTER_ESP = 0x175;
    private static final int MSR_IA32_SYSENTER_EIP = 0x176;
    private static final int MSR_IA32_MISC_ENABLE = 0x1a0;
    private static final int MSR_MTRR_DEF_TYPE = 0x2ff;
    private static final int MSR_STAR = 0xc0000081;
    private static final int MSR_LSTAR = 0xc0000082;
    private static final int MSR_CSTAR = 0xc0000083;
    private static final int MSR_SYSCALL_MASK = 0xc0000084;
    private static final int MSR_KERNEL_GS_BASE = 0xc0000102;

    private static final long MISC_ENABLE_FAST_STRING = 1;
    /** MTRRs enabled, default memory type write-back. */
    private static final long MTRR_ENABLE_WRITE_BACK = (1 << 11) | 6;

    private static final int APIC_LVT_LINT0 = 0x350;
    private static final int APIC_LVT_LINT1 = 0x360;
    private static final int APIC_DELIVERY_MODE_MASK = 0x700;
    private static final int APIC_MODE_NMI = 0x4 << 8;
    private static final int APIC_MODE_EXTINT = 0x7 << 8;

    private BootCpu() {}

    /**
     * Sets the boot MSRs, the FPU and the LAPIC's LINT pins of {@code vcpu}. MSRs that this KVM does
     * not list in {@code supportedMsrs} ({@code Kvm.msrIndexList()}) are left alone.
     *
     * @param vcpu the vCPU, of a VM with the in-kernel irqchip
     * @param supportedMsrs the MSRs this KVM can set, {@code Kvm.msrIndexList()}
     */
    public static void configure(Vcpu vcpu, int[] supportedMsrs) {
        setBootMsrs(vcpu, supportedMsrs);
        vcpu.setDefaultFpu();
        wireLintPins(vcpu);
    }

    static void setBootMsrs(Vcpu vcpu, int[] supportedMsrs) {
        Set<Integer> supported = Arrays.stream(supportedMsrs).boxed().collect(Collectors.toSet());
        int[] indices = {MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_STAR, MSR_CSTAR,
                MSR_KERNEL_GS_BASE, MSR_SYSCALL_MASK, MSR_LSTAR, MSR_IA32_TSC, MSR_IA32_MISC_ENABLE, MSR_MTRR_DEF_TYPE};
        long[] values = new long[indices.length];
        values[indices.length - 2] = MISC_ENABLE_FAST_STRING;
        values[indices.length - 1] = MTRR_ENABLE_WRITE_BACK;
        int kept = 0;
        for (int i = 0; i < indices.length; i++) {
            if (supported.contains(indices[i])) {
                indices[kept] = indices[i];
                values[kept++] = values[i];
            }
        }
        vcpu.setMsrs(Arrays.copyOf(indices, kept), Arrays.copyOf(values, kept));
    }

    static void wireLintPins(Vcpu vcpu) {
        ByteBuffer lapic = ByteBuffer.wrap(vcpu.lapic()).order(ByteOrder.LITTLE_ENDIAN);
        lapic.putInt(APIC_LVT_LINT0, (lapic.getInt(APIC_LVT_LINT0) & ~APIC_DELIVERY_MODE_MASK) | APIC_MODE_EXTINT);
        lapic.putInt(APIC_LVT_LINT1, (lapic.getInt(APIC_LVT_LINT1) & ~APIC_DELIVERY_MODE_MASK) | APIC_MODE_NMI);
        vcpu.setLapic(lapic.array());
    }
}
