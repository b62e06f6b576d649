// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.x86;

import dev.vmm.core.CpuidEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuestCpuidTest {
    /** A host-like supported CPUID: APIC ID 7 of a 16-thread package, no hypervisor bit. */
    private static final List<CpuidEntry> SUPPORTED = List.of(
            new CpuidEntry(0x1, 0, 0, 0x00a20f12, 0x07100800, 0x7ed8320b, 0x178bfbff),
            new CpuidEntry(0xb, 0, 1, 1, 2, 0x100, 7),
            new CpuidEntry(0xb, 1, 1, 4, 16, 0x201, 7),
            new CpuidEntry(0x80000008, 0, 0, 0x3030, 0, 0x400f, 0),
            new CpuidEntry(0x8000001e, 0, 0, 7, 0x103, 0, 0),
            new CpuidEntry(0x7, 0, 1, 0, 0x219c91a9, 0x00400004, 0));

    private static CpuidEntry leaf(List<CpuidEntry> entries, int function, int index) {
        return entries.stream().filter(e -> e.function() == function && e.index() == index).findFirst().orElseThrow();
    }

    @Test
    void eachVcpuReportsItsOwnApicIdEverywhere() {
        for (int id = 0; id < 3; id++) {
            List<CpuidEntry> cpuid = GuestCpuid.forVcpu(SUPPORTED, id, 3, false);
            assertEquals(id, leaf(cpuid, 0x1, 0).ebx() >>> 24, "leaf 1 initial APIC ID");
            assertEquals(3, (leaf(cpuid, 0x1, 0).ebx() >> 16) & 0xff, "logical processors per package");
            assertEquals(id, leaf(cpuid, 0xb, 0).edx(), "x2APIC ID, level 0");
            assertEquals(id, leaf(cpuid, 0xb, 1).edx(), "x2APIC ID, level 1");
            assertEquals(id, leaf(cpuid, 0x8000001e, 0).eax(), "AMD extended APIC ID");
        }
    }

    @Test
    void theTopologyIsOneThreadPerCoreAndTheHypervisorIsAdmitted() {
        List<CpuidEntry> cpuid = GuestCpuid.forVcpu(SUPPORTED, 0, 3, false);
        assertEquals(1, leaf(cpuid, 0xb, 0).ebx(), "threads per core");
        assertEquals(3, leaf(cpuid, 0xb, 1).ebx(), "logical processors in the package");
        assertEquals(2, leaf(cpuid, 0xb, 1).eax(), "APIC ID bits for 3 cores");
        assertEquals(2, leaf(cpuid, 0x80000008, 0).ecx() & 0xff, "AMD: cores - 1");
        assertNotEquals(0, leaf(cpuid, 0x1, 0).ecx() & (1 << 31), "hypervisor bit");
        assertEquals(0, leaf(cpuid, 0x1, 0).ecx() & (1 << 24), "no TSC deadline unless KVM has it");
        assertNotEquals(0, GuestCpuid.forVcpu(SUPPORTED, 0, 3, true).get(0).ecx() & (1 << 24));
        assertEquals(0, GuestCpuid.forVcpu(SUPPORTED, 0, 1, false).get(0).edx() & (1 << 28), "one CPU: no HTT");
        assertSame(SUPPORTED.get(5), cpuid.get(5), "leaves without topology pass through");
    }

    @Test
    void anApicIdOutsideTheVmIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> GuestCpuid.forVcpu(SUPPORTED, 3, 3, false));
    }
}
