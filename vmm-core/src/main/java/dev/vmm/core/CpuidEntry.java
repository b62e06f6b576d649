// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.kvm_cpuid2;
import dev.vmm.ffm.kvm.kvm_cpuid_entry2;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One CPUID leaf as KVM reports or accepts it ({@code kvm_cpuid_entry2}).
 *
 * @param function the leaf, the EAX input of CPUID
 * @param index the subleaf, the ECX input, which counts when {@code flags} says so
 * @param flags {@code KVM_CPUID_FLAG_*} bits, such as {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX}
 * @param eax the EAX that CPUID returns for this leaf
 * @param ebx the EBX that CPUID returns for this leaf
 * @param ecx the ECX that CPUID returns for this leaf
 * @param edx the EDX that CPUID returns for this leaf
 */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {

    /**
     * {@return this leaf with other register values}
     *
     * @param eax the new EAX
     * @param ebx the new EBX
     * @param ecx the new ECX
     * @param edx the new EDX
     */
    public CpuidEntry withRegisters(int eax, int ebx, int ecx, int edx) {
        return new CpuidEntry(function, index, flags, eax, ebx, ecx, edx);
    }

    static List<CpuidEntry> readAll(MemorySegment cpuid2) {
        int count = kvm_cpuid2.nent(cpuid2);
        List<CpuidEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MemorySegment e = kvm_cpuid2.entry(cpuid2, i);
            entries.add(new CpuidEntry(kvm_cpuid_entry2.function(e), kvm_cpuid_entry2.index(e), kvm_cpuid_entry2.flags(e),
                    kvm_cpuid_entry2.eax(e), kvm_cpuid_entry2.ebx(e), kvm_cpuid_entry2.ecx(e), kvm_cpuid_entry2.edx(e)));
        }
        return List.copyOf(entries);
    }

    static MemorySegment writeAll(Arena arena, List<CpuidEntry> entries) {
        MemorySegment cpuid2 = kvm_cpuid2.allocate(arena, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry entry = entries.get(i);
            MemorySegment e = kvm_cpuid2.entry(cpuid2, i);
            kvm_cpuid_entry2.function(e, entry.function);
            kvm_cpuid_entry2.index(e, entry.index);
            kvm_cpuid_entry2.flags(e, entry.flags);
            kvm_cpuid_entry2.eax(e, entry.eax);
            kvm_cpuid_entry2.ebx(e, entry.ebx);
            kvm_cpuid_entry2.ecx(e, entry.ecx);
            kvm_cpuid_entry2.edx(e, entry.edx);
        }
        return cpuid2;
    }
}
