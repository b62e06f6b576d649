// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@snippet lang=c :
 * struct kvm_irqchip {
 *     __u32 chip_id;
 *     __u32 pad;
 *     union {
 *         char dummy[512];
 *         struct kvm_pic_state pic;
 *         struct kvm_ioapic_state ioapic;
 *     } chip;
 * };
 * }
 * The state of one in-kernel interrupt controller, for {@code KVM_GET_IRQCHIP} and {@code KVM_SET_IRQCHIP}:
 * {@code chip_id} ({@code KVM_IRQCHIP_PIC_MASTER}, {@code KVM_IRQCHIP_PIC_SLAVE} or
 * {@code KVM_IRQCHIP_IOAPIC}) says which, and which member of the 512-byte union {@code chip} holds it.
 * Members of the union are named {@code chip_<member>}.
 */
public final class kvm_irqchip {
    private kvm_irqchip() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("chip_id"),
            JAVA_INT.withName("pad"),
            MemoryLayout.unionLayout(
                    MemoryLayout.sequenceLayout(512, JAVA_BYTE).withName("dummy"),
                    kvm_pic_state.layout().withName("pic"),
                    kvm_ioapic_state.layout().withName("ioapic")
            ).withName("chip")
    ).withName("kvm_irqchip");

    /** {@return the layout of {@code struct kvm_irqchip}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code chip_id}, which controller: {@code KVM_IRQCHIP_PIC_MASTER},
     * {@code KVM_IRQCHIP_PIC_SLAVE} or {@code KVM_IRQCHIP_IOAPIC}.
     */
    public static final long chip_id$OFFSET = $LAYOUT.byteOffset(groupElement("chip_id"));
    /** Byte offset of {@code pad}, padding. */
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));
    /** Byte offset of {@code chip}, the controller's state, 512 bytes. */
    public static final long chip$OFFSET = $LAYOUT.byteOffset(groupElement("chip"));
    /** Byte offset of {@code chip.dummy}, the union's size, 512 bytes. */
    public static final long chip_dummy$OFFSET = $LAYOUT.byteOffset(groupElement("chip"), groupElement("dummy"));
    /** Byte offset of {@code chip.pic}, a PIC's state, a {@link kvm_pic_state}. */
    public static final long chip_pic$OFFSET = $LAYOUT.byteOffset(groupElement("chip"), groupElement("pic"));
    /** Byte offset of {@code chip.ioapic}, the IOAPIC's state, a {@link kvm_ioapic_state}. */
    public static final long chip_ioapic$OFFSET = $LAYOUT.byteOffset(groupElement("chip"), groupElement("ioapic"));

    private static final MemoryLayout chip$LAYOUT = $LAYOUT.select(groupElement("chip"));

    /**
     * {@return {@code chip_id}, which controller: {@code KVM_IRQCHIP_PIC_MASTER},
     * {@code KVM_IRQCHIP_PIC_SLAVE} or {@code KVM_IRQCHIP_IOAPIC}}
     *
     * @param struct a {@code struct kvm_irqchip}
     */
    public static int chip_id(MemorySegment struct) {
        return struct.get(JAVA_INT, chip_id$OFFSET);
    }

    /**
     * Sets {@code chip_id}, which controller: {@code KVM_IRQCHIP_PIC_MASTER}, {@code KVM_IRQCHIP_PIC_SLAVE}
     * or {@code KVM_IRQCHIP_IOAPIC}.
     *
     * @param struct a {@code struct kvm_irqchip}
     * @param value the new value
     */
    public static void chip_id(MemorySegment struct, int value) {
        struct.set(JAVA_INT, chip_id$OFFSET, value);
    }

    /**
     * {@return {@code chip}, the controller's state, 512 bytes, as a slice of {@code struct}}
     *
     * @param struct a {@code struct kvm_irqchip}
     */
    public static MemorySegment chip(MemorySegment struct) {
        return struct.asSlice(chip$OFFSET, chip$LAYOUT.byteSize());
    }

    /**
     * {@return {@code chip.pic}, a PIC's state, a {@link kvm_pic_state}, as a slice of {@code struct} for
     * {@link kvm_pic_state}'s accessors}
     *
     * @param struct a {@code struct kvm_irqchip}
     */
    public static MemorySegment chip_pic(MemorySegment struct) {
        return struct.asSlice(chip_pic$OFFSET, kvm_pic_state.layout());
    }

    /**
     * {@return {@code chip.ioapic}, the IOAPIC's state, a {@link kvm_ioapic_state}, as a slice of
     * {@code struct} for {@link kvm_ioapic_state}'s accessors}
     *
     * @param struct a {@code struct kvm_irqchip}
     */
    public static MemorySegment chip_ioapic(MemorySegment struct) {
        return struct.asSlice(chip_ioapic$OFFSET, kvm_ioapic_state.layout());
    }

    /** {@return {@code sizeof(struct kvm_irqchip)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_irqchip}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
