// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_sregs {
 *     struct kvm_segment cs, ds, es, fs, gs, ss;
 *     struct kvm_segment tr, ldt;
 *     struct kvm_dtable gdt, idt;
 *     __u64 cr0, cr2, cr3, cr4, cr8;
 *     __u64 efer;
 *     __u64 apic_base;
 *     __u64 interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64];
 * };
 * }
 * The special registers, for {@code KVM_GET_SREGS} and {@code KVM_SET_SREGS}.
 */
public final class kvm_sregs {
    private kvm_sregs() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            kvm_segment.layout().withName("cs"),
            kvm_segment.layout().withName("ds"),
            kvm_segment.layout().withName("es"),
            kvm_segment.layout().withName("fs"),
            kvm_segment.layout().withName("gs"),
            kvm_segment.layout().withName("ss"),
            kvm_segment.layout().withName("tr"),
            kvm_segment.layout().withName("ldt"),
            kvm_dtable.layout().withName("gdt"),
            kvm_dtable.layout().withName("idt"),
            JAVA_LONG.withName("cr0"),
            JAVA_LONG.withName("cr2"),
            JAVA_LONG.withName("cr3"),
            JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"),
            JAVA_LONG.withName("efer"),
            JAVA_LONG.withName("apic_base"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap")
    ).withName("kvm_sregs");

    /** {@return the layout of {@code struct kvm_sregs}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code cs}, the CS segment register. */
    public static final long cs$OFFSET = $LAYOUT.byteOffset(groupElement("cs"));
    /** Byte offset of {@code ds}, the DS segment register. */
    public static final long ds$OFFSET = $LAYOUT.byteOffset(groupElement("ds"));
    /** Byte offset of {@code es}, the ES segment register. */
    public static final long es$OFFSET = $LAYOUT.byteOffset(groupElement("es"));
    /** Byte offset of {@code fs}, the FS segment register. */
    public static final long fs$OFFSET = $LAYOUT.byteOffset(groupElement("fs"));
    /** Byte offset of {@code gs}, the GS segment register. */
    public static final long gs$OFFSET = $LAYOUT.byteOffset(groupElement("gs"));
    /** Byte offset of {@code ss}, the SS segment register. */
    public static final long ss$OFFSET = $LAYOUT.byteOffset(groupElement("ss"));
    /** Byte offset of {@code tr}, the task register. */
    public static final long tr$OFFSET = $LAYOUT.byteOffset(groupElement("tr"));
    /** Byte offset of {@code ldt}, the local descriptor table register. */
    public static final long ldt$OFFSET = $LAYOUT.byteOffset(groupElement("ldt"));
    /** Byte offset of {@code gdt}, the global descriptor table register. */
    public static final long gdt$OFFSET = $LAYOUT.byteOffset(groupElement("gdt"));
    /** Byte offset of {@code idt}, the interrupt descriptor table register. */
    public static final long idt$OFFSET = $LAYOUT.byteOffset(groupElement("idt"));
    /** Byte offset of {@code cr0}, the guest's CR0 (protection and paging enables). */
    public static final long cr0$OFFSET = $LAYOUT.byteOffset(groupElement("cr0"));
    /** Byte offset of {@code cr2}, the guest's CR2, the last page-fault address. */
    public static final long cr2$OFFSET = $LAYOUT.byteOffset(groupElement("cr2"));
    /** Byte offset of {@code cr3}, the guest's CR3, the root of its page tables. */
    public static final long cr3$OFFSET = $LAYOUT.byteOffset(groupElement("cr3"));
    /** Byte offset of {@code cr4}, the guest's CR4 (PAE, OSFXSR and other extensions). */
    public static final long cr4$OFFSET = $LAYOUT.byteOffset(groupElement("cr4"));
    /** Byte offset of {@code cr8}, the guest's CR8, the task priority. */
    public static final long cr8$OFFSET = $LAYOUT.byteOffset(groupElement("cr8"));
    /** Byte offset of {@code efer}, the guest's EFER MSR (long mode enable and active, NX, SYSCALL). */
    public static final long efer$OFFSET = $LAYOUT.byteOffset(groupElement("efer"));
    /** Byte offset of {@code apic_base}, the guest's APIC base MSR. */
    public static final long apic_base$OFFSET = $LAYOUT.byteOffset(groupElement("apic_base"));
    /**
     * Byte offset of {@code interrupt_bitmap}, the bitmap of the pending external interrupt, one bit per
     * vector (at most one set), for a VMM without an in-kernel irqchip.
     */
    public static final long interrupt_bitmap$OFFSET = $LAYOUT.byteOffset(groupElement("interrupt_bitmap"));

    private static final SequenceLayout interrupt_bitmap$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("interrupt_bitmap"));

    /**
     * {@return the CS segment register, the nested {@code struct kvm_segment cs}, as a slice of
     * {@code struct} for {@link kvm_segment}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment cs(MemorySegment struct) {
        return struct.asSlice(cs$OFFSET, kvm_segment.layout());
    }

    /**
     * {@return the DS segment register, the nested {@code struct kvm_segment ds}, as a slice of
     * {@code struct} for {@link kvm_segment}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment ds(MemorySegment struct) {
        return struct.asSlice(ds$OFFSET, kvm_segment.layout());
    }

    /**
     * {@return the ES segment register, the nested {@code struct kvm_segment es}, as a slice of
     * {@code struct} for {@link kvm_segment}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment es(MemorySegment struct) {
        return struct.asSlice(es$OFFSET, kvm_segment.layout());
    }

    /**
     * {@return the FS segment register, the nested {@code struct kvm_segment fs}, as a slice of
     * {@code struct} for {@link kvm_segment}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment fs(MemorySegment struct) {
        return struct.asSlice(fs$OFFSET, kvm_segment.layout());
    }

    /**
     * {@return the GS segment register, the nested {@code struct kvm_segment gs}, as a slice of
     * {@code struct} for {@link kvm_segment}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment gs(MemorySegment struct) {
        return struct.asSlice(gs$OFFSET, kvm_segment.layout());
    }

    /**
     * {@return the SS segment register, the nested {@code struct kvm_segment ss}, as a slice of
     * {@code struct} for {@link kvm_segment}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment ss(MemorySegment struct) {
        return struct.asSlice(ss$OFFSET, kvm_segment.layout());
    }

    /**
     * {@return the task register, the nested {@code struct kvm_segment tr}, as a slice of {@code struct} for
     * {@link kvm_segment}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment tr(MemorySegment struct) {
        return struct.asSlice(tr$OFFSET, kvm_segment.layout());
    }

    /**
     * {@return the local descriptor table register, the nested {@code struct kvm_segment ldt}, as a slice of
     * {@code struct} for {@link kvm_segment}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment ldt(MemorySegment struct) {
        return struct.asSlice(ldt$OFFSET, kvm_segment.layout());
    }

    /**
     * {@return the global descriptor table register, the nested {@code struct kvm_dtable gdt}, as a slice of
     * {@code struct} for {@link kvm_dtable}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment gdt(MemorySegment struct) {
        return struct.asSlice(gdt$OFFSET, kvm_dtable.layout());
    }

    /**
     * {@return the interrupt descriptor table register, the nested {@code struct kvm_dtable idt}, as a slice
     * of {@code struct} for {@link kvm_dtable}'s accessors}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static MemorySegment idt(MemorySegment struct) {
        return struct.asSlice(idt$OFFSET, kvm_dtable.layout());
    }

    /**
     * {@return {@code cr0}, the guest's CR0 (protection and paging enables)}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static long cr0(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr0$OFFSET);
    }

    /**
     * Sets {@code cr0}, the guest's CR0 (protection and paging enables).
     *
     * @param struct a {@code struct kvm_sregs}
     * @param value the new value
     */
    public static void cr0(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr0$OFFSET, value);
    }

    /**
     * {@return {@code cr2}, the guest's CR2, the last page-fault address}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static long cr2(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr2$OFFSET);
    }

    /**
     * Sets {@code cr2}, the guest's CR2, the last page-fault address.
     *
     * @param struct a {@code struct kvm_sregs}
     * @param value the new value
     */
    public static void cr2(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr2$OFFSET, value);
    }

    /**
     * {@return {@code cr3}, the guest's CR3, the root of its page tables}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static long cr3(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr3$OFFSET);
    }

    /**
     * Sets {@code cr3}, the guest's CR3, the root of its page tables.
     *
     * @param struct a {@code struct kvm_sregs}
     * @param value the new value
     */
    public static void cr3(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr3$OFFSET, value);
    }

    /**
     * {@return {@code cr4}, the guest's CR4 (PAE, OSFXSR and other extensions)}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static long cr4(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr4$OFFSET);
    }

    /**
     * Sets {@code cr4}, the guest's CR4 (PAE, OSFXSR and other extensions).
     *
     * @param struct a {@code struct kvm_sregs}
     * @param value the new value
     */
    public static void cr4(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr4$OFFSET, value);
    }

    /**
     * {@return {@code cr8}, the guest's CR8, the task priority}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static long cr8(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr8$OFFSET);
    }

    /**
     * Sets {@code cr8}, the guest's CR8, the task priority.
     *
     * @param struct a {@code struct kvm_sregs}
     * @param value the new value
     */
    public static void cr8(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr8$OFFSET, value);
    }

    /**
     * {@return {@code efer}, the guest's EFER MSR (long mode enable and active, NX, SYSCALL)}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static long efer(MemorySegment struct) {
        return struct.get(JAVA_LONG, efer$OFFSET);
    }

    /**
     * Sets {@code efer}, the guest's EFER MSR (long mode enable and active, NX, SYSCALL).
     *
     * @param struct a {@code struct kvm_sregs}
     * @param value the new value
     */
    public static void efer(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, efer$OFFSET, value);
    }

    /**
     * {@return {@code apic_base}, the guest's APIC base MSR}
     *
     * @param struct a {@code struct kvm_sregs}
     */
    public static long apic_base(MemorySegment struct) {
        return struct.get(JAVA_LONG, apic_base$OFFSET);
    }

    /**
     * Sets {@code apic_base}, the guest's APIC base MSR.
     *
     * @param struct a {@code struct kvm_sregs}
     * @param value the new value
     */
    public static void apic_base(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, apic_base$OFFSET, value);
    }

    /**
     * {@return element {@code index} of {@code interrupt_bitmap}, the bitmap of the pending external
     * interrupt, one bit per vector (at most one set), for a VMM without an in-kernel irqchip}
     *
     * @param struct a {@code struct kvm_sregs}
     * @param index the element's index
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code interrupt_bitmap}
     */
    public static long interrupt_bitmap(MemorySegment struct, int index) {
        return struct.get(JAVA_LONG, interrupt_bitmap$OFFSET + Objects.checkIndex(index, interrupt_bitmap$LAYOUT.elementCount()) * JAVA_LONG.byteSize());
    }

    /**
     * Sets element {@code index} of {@code interrupt_bitmap}, the bitmap of the pending external interrupt,
     * one bit per vector (at most one set), for a VMM without an in-kernel irqchip.
     *
     * @param struct a {@code struct kvm_sregs}
     * @param index the element's index
     * @param value the new value
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code interrupt_bitmap}
     */
    public static void interrupt_bitmap(MemorySegment struct, int index, long value) {
        struct.set(JAVA_LONG, interrupt_bitmap$OFFSET + Objects.checkIndex(index, interrupt_bitmap$LAYOUT.elementCount()) * JAVA_LONG.byteSize(), value);
    }

    /** {@return {@code sizeof(struct kvm_sregs)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_sregs}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
