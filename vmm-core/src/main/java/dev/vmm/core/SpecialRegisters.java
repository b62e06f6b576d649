// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.kvm_dtable;
import dev.vmm.ffm.kvm.kvm_sregs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A vCPU's segment, descriptor-table and control registers ({@code kvm_sregs}), read with
 * {@link Vcpu#specialRegisters()} and written back with {@link Vcpu#setSpecialRegisters}.
 */
public final class SpecialRegisters {
    final MemorySegment struct;

    SpecialRegisters() {
        this.struct = kvm_sregs.allocate(Arena.ofAuto());
    }

    /** The size of {@code struct kvm_sregs}, the length of {@link #bytes()}. */
    public static final int SIZE = (int) kvm_sregs.sizeof();

    /**
     * {@return special registers held in a copy of {@code bytes}}
     *
     * @param bytes {@link #SIZE} bytes, as {@link #bytes()} returned them
     * @throws IllegalArgumentException when {@code bytes} is not {@link #SIZE} bytes
     */
    public static SpecialRegisters of(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("A kvm_sregs is " + SIZE + " bytes, not " + bytes.length + ".");
        }
        SpecialRegisters copy = new SpecialRegisters();
        MemorySegment.copy(bytes, 0, copy.struct, ValueLayout.JAVA_BYTE, 0, SIZE);
        return copy;
    }

    /** {@return a copy of the {@code kvm_sregs} bytes, for storing in a snapshot} */
    public byte[] bytes() {
        return struct.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * A descriptor table register: GDTR or IDTR.
     *
     * @param base the table's linear address
     * @param limit the table's size in bytes minus 1, 0 to 0xffff
     */
    public record DescriptorTable(long base, int limit) {}

    /** {@return the CS segment register (code)} */
    public Segment cs() { return Segment.read(kvm_sregs.cs(struct)); }
    /** {@return the DS segment register} */
    public Segment ds() { return Segment.read(kvm_sregs.ds(struct)); }
    /** {@return the ES segment register} */
    public Segment es() { return Segment.read(kvm_sregs.es(struct)); }
    /** {@return the FS segment register} */
    public Segment fs() { return Segment.read(kvm_sregs.fs(struct)); }
    /** {@return the GS segment register} */
    public Segment gs() { return Segment.read(kvm_sregs.gs(struct)); }
    /** {@return the SS segment register (stack)} */
    public Segment ss() { return Segment.read(kvm_sregs.ss(struct)); }
    /** {@return the task register} */
    public Segment tr() { return Segment.read(kvm_sregs.tr(struct)); }
    /** {@return the local descriptor table register} */
    public Segment ldt() { return Segment.read(kvm_sregs.ldt(struct)); }

    /**
     * Sets the CS segment register (code).
     *
     * @param s the new value
     * @return this object, for chaining
     */
    public SpecialRegisters cs(Segment s) { s.write(kvm_sregs.cs(struct)); return this; }
    /**
     * Sets the DS segment register.
     *
     * @param s the new value
     * @return this object, for chaining
     */
    public SpecialRegisters ds(Segment s) { s.write(kvm_sregs.ds(struct)); return this; }
    /**
     * Sets the ES segment register.
     *
     * @param s the new value
     * @return this object, for chaining
     */
    public SpecialRegisters es(Segment s) { s.write(kvm_sregs.es(struct)); return this; }
    /**
     * Sets the FS segment register.
     *
     * @param s the new value
     * @return this object, for chaining
     */
    public SpecialRegisters fs(Segment s) { s.write(kvm_sregs.fs(struct)); return this; }
    /**
     * Sets the GS segment register.
     *
     * @param s the new value
     * @return this object, for chaining
     */
    public SpecialRegisters gs(Segment s) { s.write(kvm_sregs.gs(struct)); return this; }
    /**
     * Sets the SS segment register (stack).
     *
     * @param s the new value
     * @return this object, for chaining
     */
    public SpecialRegisters ss(Segment s) { s.write(kvm_sregs.ss(struct)); return this; }
    /**
     * Sets the task register.
     *
     * @param s the new value
     * @return this object, for chaining
     */
    public SpecialRegisters tr(Segment s) { s.write(kvm_sregs.tr(struct)); return this; }
    /**
     * Sets the local descriptor table register.
     *
     * @param s the new value
     * @return this object, for chaining
     */
    public SpecialRegisters ldt(Segment s) { s.write(kvm_sregs.ldt(struct)); return this; }

    /** {@return the global descriptor table register (GDTR)} */
    public DescriptorTable gdt() { return readTable(kvm_sregs.gdt(struct)); }
    /** {@return the interrupt descriptor table register (IDTR)} */
    public DescriptorTable idt() { return readTable(kvm_sregs.idt(struct)); }
    /**
     * Sets the global descriptor table register (GDTR).
     *
     * @param t the new value
     * @return this object, for chaining
     */
    public SpecialRegisters gdt(DescriptorTable t) { writeTable(kvm_sregs.gdt(struct), t); return this; }
    /**
     * Sets the interrupt descriptor table register (IDTR).
     *
     * @param t the new value
     * @return this object, for chaining
     */
    public SpecialRegisters idt(DescriptorTable t) { writeTable(kvm_sregs.idt(struct), t); return this; }

    /** {@return the guest's CR0 (PE, PG and the other control bits)} */
    public long cr0() { return kvm_sregs.cr0(struct); }
    /** {@return the guest's CR2, the address of the last page fault} */
    public long cr2() { return kvm_sregs.cr2(struct); }
    /** {@return the guest's CR3, the physical address of the top-level page table} */
    public long cr3() { return kvm_sregs.cr3(struct); }
    /** {@return the guest's CR4 (PAE and the other extensions)} */
    public long cr4() { return kvm_sregs.cr4(struct); }
    /** {@return the guest's CR8, the task priority} */
    public long cr8() { return kvm_sregs.cr8(struct); }
    /** {@return the EFER MSR (LME, LMA, NXE, SCE)} */
    public long efer() { return kvm_sregs.efer(struct); }
    /** {@return the IA32_APIC_BASE MSR} */
    public long apicBase() { return kvm_sregs.apic_base(struct); }

    /**
     * Sets the guest's CR0 (PE, PG and the other control bits).
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public SpecialRegisters cr0(long v) { kvm_sregs.cr0(struct, v); return this; }
    /**
     * Sets the guest's CR2, the address of the last page fault.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public SpecialRegisters cr2(long v) { kvm_sregs.cr2(struct, v); return this; }
    /**
     * Sets the guest's CR3, the physical address of the top-level page table.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public SpecialRegisters cr3(long v) { kvm_sregs.cr3(struct, v); return this; }
    /**
     * Sets the guest's CR4 (PAE and the other extensions).
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public SpecialRegisters cr4(long v) { kvm_sregs.cr4(struct, v); return this; }
    /**
     * Sets the guest's CR8, the task priority.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public SpecialRegisters cr8(long v) { kvm_sregs.cr8(struct, v); return this; }
    /**
     * Sets the EFER MSR (LME, LMA, NXE, SCE).
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public SpecialRegisters efer(long v) { kvm_sregs.efer(struct, v); return this; }
    /**
     * Sets the IA32_APIC_BASE MSR.
     *
     * @param v the new value
     * @return this object, for chaining
     */
    public SpecialRegisters apicBase(long v) { kvm_sregs.apic_base(struct, v); return this; }

    private static DescriptorTable readTable(MemorySegment table) {
        return new DescriptorTable(kvm_dtable.base(table), Short.toUnsignedInt(kvm_dtable.limit(table)));
    }

    private static void writeTable(MemorySegment table, DescriptorTable t) {
        kvm_dtable.base(table, t.base());
        kvm_dtable.limit(table, (short) t.limit());
    }
}
