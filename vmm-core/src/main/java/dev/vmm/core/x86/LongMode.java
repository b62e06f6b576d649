// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.x86;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Segment;
import dev.vmm.core.SpecialRegisters;
import dev.vmm.core.Vcpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Puts a vCPU straight into 64-bit long mode, as firmware would leave it: a flat GDT, identity page
 * tables with 2 MiB pages, and CR0/CR4/EFER set. KVM accepts this state directly through
 * {@code KVM_SET_SREGS}; no mode switch runs in the guest.
 *
 * <p>The tables live in guest memory at a caller-chosen, page-aligned address: the GDT in the
 * first page, then the PML4, one PDPT, and one page directory per GiB mapped. Guest physical
 * addresses below 512 GiB can be mapped.
 *
 * <p>KVM refuses EFER.LME unless the vCPU's CPUID advertises long mode, so set the CPUID first
 * (for example from {@code Kvm.supportedCpuid()}).
 */
public final class LongMode {
    /** The selector of the flat 64-bit code segment, GDT entry 1, which CS gets. */
    public static final int CODE_SELECTOR = 0x8;
    /** The selector of the flat data segment, GDT entry 2, which DS, ES, FS, GS and SS get. */
    public static final int DATA_SELECTOR = 0x10;

    private static final long CR0_PE = 1L;
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1L << 5;
    private static final long EFER_LME = 1L << 8;
    private static final long EFER_LMA = 1L << 10;
    private static final long PAGE_PRESENT_WRITABLE = 0x3;
    private static final long PAGE_HUGE = 0x80;
    private static final long GIB = 1L << 30;
    private static final int CPUID_EXTENDED_FEATURES = 0x80000001;
    private static final int CPUID_EDX_LONG_MODE = 1 << 29;

    private LongMode() {}

    /**
     * {@return the bytes of guest memory the GDT and page tables need to map {@code ranges}}
     *
     * @param ranges the guest memory to identity-map
     */
    public static long tablesSize(GuestMemory.Range... ranges) {
        return (3 + gibsCovered(ranges).size()) * GuestMemory.PAGE_SIZE;
    }

    /**
     * Writes the GDT and page tables at {@code tables}, identity-mapping every range, and loads the
     * vCPU's segment and control registers for 64-bit mode. General registers (rip, rsp) are the
     * caller's.
     *
     * @param vcpu the vCPU, whose CPUID must already advertise long mode
     * @param memory the guest memory to write the tables into
     * @param tables where the tables go, page-aligned, {@link #tablesSize} bytes inside {@code memory}
     * @param ranges the guest memory to identity-map, below 512 GiB
     * @throws IllegalArgumentException when {@code tables} is not page-aligned or a range reaches
     *     past 512 GiB
     * @throws IllegalStateException when the vCPU's CPUID has no long-mode bit
     */
    public static void enter(Vcpu vcpu, GuestMemory memory, GuestAddress tables, GuestMemory.Range... ranges) {
        if (tables.value() % GuestMemory.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("Page tables address " + tables + " is not 4 KiB aligned.");
        }
        if (vcpu.cpuid().stream().noneMatch(e -> e.function() == CPUID_EXTENDED_FEATURES && (e.edx() & CPUID_EDX_LONG_MODE) != 0)) {
            throw new IllegalStateException("vCPU " + vcpu.id() + " has no long-mode bit in its CPUID, and KVM refuses 64-bit mode"
                    + " without it: call vcpu.setCpuid(kvm.supportedCpuid()) first.");
        }
        SortedSet<Long> gibs = gibsCovered(ranges);
        GuestAddress gdt = tables;
        GuestAddress pml4 = tables.plus(GuestMemory.PAGE_SIZE);
        GuestAddress pdpt = tables.plus(2 * GuestMemory.PAGE_SIZE);

        ByteBuffer descriptors = page();
        descriptors.putLong(8 * (CODE_SELECTOR >> 3), 0x00af9b000000ffffL); // 64-bit code, present, DPL 0
        descriptors.putLong(8 * (DATA_SELECTOR >> 3), 0x00cf93000000ffffL); // data, writable
        memory.write(gdt, descriptors.array());

        ByteBuffer pml4Page = page();
        pml4Page.putLong(0, pdpt.value() | PAGE_PRESENT_WRITABLE);
        memory.write(pml4, pml4Page.array());

        ByteBuffer pdptPage = page();
        int directory = 0;
        for (long gib : gibs) {
            GuestAddress pd = tables.plus((3L + directory++) * GuestMemory.PAGE_SIZE);
            pdptPage.putLong((int) (8 * gib), pd.value() | PAGE_PRESENT_WRITABLE);
            ByteBuffer pdPage = page();
            for (int i = 0; i < 512; i++) {
                pdPage.putLong(8 * i, (gib * GIB + i * GuestMemory.HUGE_PAGE_SIZE) | PAGE_PRESENT_WRITABLE | PAGE_HUGE);
            }
            memory.write(pd, pdPage.array());
        }
        memory.write(pdpt, pdptPage.array());

        Segment code = new Segment(0, 0xffffffff, CODE_SELECTOR, 0xb, true, 0, false, true, true, true, false, false);
        Segment data = new Segment(0, 0xffffffff, DATA_SELECTOR, 0x3, true, 0, true, true, false, true, false, false);
        SpecialRegisters sregs = vcpu.specialRegisters()
                .cs(code).ds(data).es(data).fs(data).gs(data).ss(data)
                .gdt(new SpecialRegisters.DescriptorTable(gdt.value(), 8 * 3 - 1))
                .cr3(pml4.value())
                .cr4(CR4_PAE)
                .cr0(CR0_PE | CR0_PG)
                .efer(EFER_LME | EFER_LMA);
        vcpu.setSpecialRegisters(sregs);
    }

    private static SortedSet<Long> gibsCovered(GuestMemory.Range... ranges) {
        SortedSet<Long> gibs = new TreeSet<>();
        for (GuestMemory.Range range : ranges) {
            if (Long.compareUnsigned(range.end().value(), 512 * GIB) > 0) {
                throw new IllegalArgumentException("Range " + range + " reaches beyond 512 GiB, which one PDPT cannot map.");
            }
            for (long gib = range.start().value() / GIB; gib * GIB < range.end().value(); gib++) {
                gibs.add(gib);
            }
        }
        return gibs;
    }

    private static ByteBuffer page() {
        return ByteBuffer.allocate((int) GuestMemory.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }
}
