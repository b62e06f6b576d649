package dev.vmm.core;

import dev.vmm.ffm.kvm.kvm_dtable;
import dev.vmm.ffm.kvm.kvm_sregs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A vCPU's segment, descriptor-table and control registers ({@code kvm_sregs}), read with
 * {@link Vcpu#specialRegisters()} and written back with {@link Vcpu#setSpecialRegisters}.
 */
public final class SpecialRegisters {
    final MemorySegment struct;

    SpecialRegisters() {
        this.struct = kvm_sregs.allocate(Arena.ofAuto());
    }

    /** A descriptor table register: GDTR or IDTR. */
    public record DescriptorTable(long base, int limit) {}

    public Segment cs() { return Segment.read(kvm_sregs.cs(struct)); }
    public Segment ds() { return Segment.read(kvm_sregs.ds(struct)); }
    public Segment es() { return Segment.read(kvm_sregs.es(struct)); }
    public Segment fs() { return Segment.read(kvm_sregs.fs(struct)); }
    public Segment gs() { return Segment.read(kvm_sregs.gs(struct)); }
    public Segment ss() { return Segment.read(kvm_sregs.ss(struct)); }
    public Segment tr() { return Segment.read(kvm_sregs.tr(struct)); }
    public Segment ldt() { return Segment.read(kvm_sregs.ldt(struct)); }

    public SpecialRegisters cs(Segment s) { s.write(kvm_sregs.cs(struct)); return this; }
    public SpecialRegisters ds(Segment s) { s.write(kvm_sregs.ds(struct)); return this; }
    public SpecialRegisters es(Segment s) { s.write(kvm_sregs.es(struct)); return this; }
    public SpecialRegisters fs(Segment s) { s.write(kvm_sregs.fs(struct)); return this; }
    public SpecialRegisters gs(Segment s) { s.write(kvm_sregs.gs(struct)); return this; }
    public SpecialRegisters ss(Segment s) { s.write(kvm_sregs.ss(struct)); return this; }
    public SpecialRegisters tr(Segment s) { s.write(kvm_sregs.tr(struct)); return this; }
    public SpecialRegisters ldt(Segment s) { s.write(kvm_sregs.ldt(struct)); return this; }

    public DescriptorTable gdt() { return readTable(kvm_sregs.gdt(struct)); }
    public DescriptorTable idt() { return readTable(kvm_sregs.idt(struct)); }
    public SpecialRegisters gdt(DescriptorTable t) { writeTable(kvm_sregs.gdt(struct), t); return this; }
    public SpecialRegisters idt(DescriptorTable t) { writeTable(kvm_sregs.idt(struct), t); return this; }

    public long cr0() { return kvm_sregs.cr0(struct); }
    public long cr2() { return kvm_sregs.cr2(struct); }
    public long cr3() { return kvm_sregs.cr3(struct); }
    public long cr4() { return kvm_sregs.cr4(struct); }
    public long cr8() { return kvm_sregs.cr8(struct); }
    public long efer() { return kvm_sregs.efer(struct); }
    public long apicBase() { return kvm_sregs.apic_base(struct); }

    public SpecialRegisters cr0(long v) { kvm_sregs.cr0(struct, v); return this; }
    public SpecialRegisters cr2(long v) { kvm_sregs.cr2(struct, v); return this; }
    public SpecialRegisters cr3(long v) { kvm_sregs.cr3(struct, v); return this; }
    public SpecialRegisters cr4(long v) { kvm_sregs.cr4(struct, v); return this; }
    public SpecialRegisters cr8(long v) { kvm_sregs.cr8(struct, v); return this; }
    public SpecialRegisters efer(long v) { kvm_sregs.efer(struct, v); return this; }
    public SpecialRegisters apicBase(long v) { kvm_sregs.apic_base(struct, v); return this; }

    private static DescriptorTable readTable(MemorySegment table) {
        return new DescriptorTable(kvm_dtable.base(table), Short.toUnsignedInt(kvm_dtable.limit(table)));
    }

    private static void writeTable(MemorySegment table, DescriptorTable t) {
        kvm_dtable.base(table, t.base());
        kvm_dtable.limit(table, (short) t.limit());
    }
}
