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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long cs$OFFSET = $LAYOUT.byteOffset(groupElement("cs"));
    public static final long ds$OFFSET = $LAYOUT.byteOffset(groupElement("ds"));
    public static final long es$OFFSET = $LAYOUT.byteOffset(groupElement("es"));
    public static final long fs$OFFSET = $LAYOUT.byteOffset(groupElement("fs"));
    public static final long gs$OFFSET = $LAYOUT.byteOffset(groupElement("gs"));
    public static final long ss$OFFSET = $LAYOUT.byteOffset(groupElement("ss"));
    public static final long tr$OFFSET = $LAYOUT.byteOffset(groupElement("tr"));
    public static final long ldt$OFFSET = $LAYOUT.byteOffset(groupElement("ldt"));
    public static final long gdt$OFFSET = $LAYOUT.byteOffset(groupElement("gdt"));
    public static final long idt$OFFSET = $LAYOUT.byteOffset(groupElement("idt"));
    public static final long cr0$OFFSET = $LAYOUT.byteOffset(groupElement("cr0"));
    public static final long cr2$OFFSET = $LAYOUT.byteOffset(groupElement("cr2"));
    public static final long cr3$OFFSET = $LAYOUT.byteOffset(groupElement("cr3"));
    public static final long cr4$OFFSET = $LAYOUT.byteOffset(groupElement("cr4"));
    public static final long cr8$OFFSET = $LAYOUT.byteOffset(groupElement("cr8"));
    public static final long efer$OFFSET = $LAYOUT.byteOffset(groupElement("efer"));
    public static final long apic_base$OFFSET = $LAYOUT.byteOffset(groupElement("apic_base"));
    public static final long interrupt_bitmap$OFFSET = $LAYOUT.byteOffset(groupElement("interrupt_bitmap"));

    private static final SequenceLayout interrupt_bitmap$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("interrupt_bitmap"));

    /** The nested {@code struct kvm_segment cs}, for use with {@link kvm_segment}'s accessors. */
    public static MemorySegment cs(MemorySegment struct) {
        return struct.asSlice(cs$OFFSET, kvm_segment.layout());
    }

    /** The nested {@code struct kvm_segment ds}, for use with {@link kvm_segment}'s accessors. */
    public static MemorySegment ds(MemorySegment struct) {
        return struct.asSlice(ds$OFFSET, kvm_segment.layout());
    }

    /** The nested {@code struct kvm_segment es}, for use with {@link kvm_segment}'s accessors. */
    public static MemorySegment es(MemorySegment struct) {
        return struct.asSlice(es$OFFSET, kvm_segment.layout());
    }

    /** The nested {@code struct kvm_segment fs}, for use with {@link kvm_segment}'s accessors. */
    public static MemorySegment fs(MemorySegment struct) {
        return struct.asSlice(fs$OFFSET, kvm_segment.layout());
    }

    /** The nested {@code struct kvm_segment gs}, for use with {@link kvm_segment}'s accessors. */
    public static MemorySegment gs(MemorySegment struct) {
        return struct.asSlice(gs$OFFSET, kvm_segment.layout());
    }

    /** The nested {@code struct kvm_segment ss}, for use with {@link kvm_segment}'s accessors. */
    public static MemorySegment ss(MemorySegment struct) {
        return struct.asSlice(ss$OFFSET, kvm_segment.layout());
    }

    /** The nested {@code struct kvm_segment tr}, for use with {@link kvm_segment}'s accessors. */
    public static MemorySegment tr(MemorySegment struct) {
        return struct.asSlice(tr$OFFSET, kvm_segment.layout());
    }

    /** The nested {@code struct kvm_segment ldt}, for use with {@link kvm_segment}'s accessors. */
    public static MemorySegment ldt(MemorySegment struct) {
        return struct.asSlice(ldt$OFFSET, kvm_segment.layout());
    }

    /** The nested {@code struct kvm_dtable gdt}, for use with {@link kvm_dtable}'s accessors. */
    public static MemorySegment gdt(MemorySegment struct) {
        return struct.asSlice(gdt$OFFSET, kvm_dtable.layout());
    }

    /** The nested {@code struct kvm_dtable idt}, for use with {@link kvm_dtable}'s accessors. */
    public static MemorySegment idt(MemorySegment struct) {
        return struct.asSlice(idt$OFFSET, kvm_dtable.layout());
    }

    public static long cr0(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr0$OFFSET);
    }

    public static void cr0(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr0$OFFSET, value);
    }

    public static long cr2(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr2$OFFSET);
    }

    public static void cr2(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr2$OFFSET, value);
    }

    public static long cr3(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr3$OFFSET);
    }

    public static void cr3(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr3$OFFSET, value);
    }

    public static long cr4(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr4$OFFSET);
    }

    public static void cr4(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr4$OFFSET, value);
    }

    public static long cr8(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr8$OFFSET);
    }

    public static void cr8(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr8$OFFSET, value);
    }

    public static long efer(MemorySegment struct) {
        return struct.get(JAVA_LONG, efer$OFFSET);
    }

    public static void efer(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, efer$OFFSET, value);
    }

    public static long apic_base(MemorySegment struct) {
        return struct.get(JAVA_LONG, apic_base$OFFSET);
    }

    public static void apic_base(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, apic_base$OFFSET, value);
    }

    /** @throws IndexOutOfBoundsException when {@code index} is outside {@code interrupt_bitmap} */
    public static long interrupt_bitmap(MemorySegment struct, int index) {
        return struct.get(JAVA_LONG, interrupt_bitmap$OFFSET + Objects.checkIndex(index, interrupt_bitmap$LAYOUT.elementCount()) * JAVA_LONG.byteSize());
    }

    /** @throws IndexOutOfBoundsException when {@code index} is outside {@code interrupt_bitmap} */
    public static void interrupt_bitmap(MemorySegment struct, int index, long value) {
        struct.set(JAVA_LONG, interrupt_bitmap$OFFSET + Objects.checkIndex(index, interrupt_bitmap$LAYOUT.elementCount()) * JAVA_LONG.byteSize(), value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
