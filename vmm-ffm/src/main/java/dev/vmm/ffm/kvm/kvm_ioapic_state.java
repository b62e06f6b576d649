// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_ioapic_state {
 *     __u64 base_address;
 *     __u32 ioregsel;
 *     __u32 id;
 *     __u32 irr;
 *     __u32 pad;
 *     union {
 *         __u64 bits;
 *         struct { __u8 vector; __u8 delivery_mode:3; ... __u8 mask:1; ...; __u8 dest_id; } fields;
 *     } redirtbl[KVM_IOAPIC_NUM_PINS];
 * };
 * }
 * The in-kernel IOAPIC: the member {@code chip.ioapic} of {@link kvm_irqchip} for {@code KVM_GET_IRQCHIP}
 * and {@code KVM_SET_IRQCHIP}. Each of the 24 redirection table entries is modeled as the union's 64-bit
 * {@code bits}: vector in bits 0 to 7, delivery mode 8 to 10, destination mode 11, delivery status 12,
 * polarity 13, remote IRR 14, trigger mode 15, mask 16, destination in bits 56 to 63, as the IOAPIC's own
 * registers have them.
 */
public final class kvm_ioapic_state {
    private kvm_ioapic_state() {}

    // redirtbl is a union of the 64-bit entry and its bit fields, which no layout can name: model the 64 bits.
    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base_address"),
            JAVA_INT.withName("ioregsel"),
            JAVA_INT.withName("id"),
            JAVA_INT.withName("irr"),
            JAVA_INT.withName("pad"),
            MemoryLayout.sequenceLayout(24, JAVA_LONG).withName("redirtbl")
    ).withName("kvm_ioapic_state");

    /** {@return the layout of {@code struct kvm_ioapic_state}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code base_address}, the guest-physical address of the IOAPIC's registers, 0xfec00000.
     */
    public static final long base_address$OFFSET = $LAYOUT.byteOffset(groupElement("base_address"));
    /** Byte offset of {@code ioregsel}, the register select register (IOREGSEL). */
    public static final long ioregsel$OFFSET = $LAYOUT.byteOffset(groupElement("ioregsel"));
    /** Byte offset of {@code id}, the IOAPIC's id. */
    public static final long id$OFFSET = $LAYOUT.byteOffset(groupElement("id"));
    /** Byte offset of {@code irr}, the interrupt request register, one bit per pin. */
    public static final long irr$OFFSET = $LAYOUT.byteOffset(groupElement("irr"));
    /** Byte offset of {@code pad}, padding. */
    public static final long pad$OFFSET = $LAYOUT.byteOffset(groupElement("pad"));
    /** Byte offset of {@code redirtbl}, the redirection table, one 64-bit entry per pin. */
    public static final long redirtbl$OFFSET = $LAYOUT.byteOffset(groupElement("redirtbl"));

    private static final SequenceLayout redirtbl$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("redirtbl"));

    /**
     * {@return {@code base_address}, the guest-physical address of the IOAPIC's registers, 0xfec00000}
     *
     * @param struct a {@code struct kvm_ioapic_state}
     */
    public static long base_address(MemorySegment struct) {
        return struct.get(JAVA_LONG, base_address$OFFSET);
    }

    /**
     * Sets {@code base_address}, the guest-physical address of the IOAPIC's registers, 0xfec00000.
     *
     * @param struct a {@code struct kvm_ioapic_state}
     * @param value the new value
     */
    public static void base_address(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, base_address$OFFSET, value);
    }

    /**
     * {@return {@code ioregsel}, the register select register (IOREGSEL)}
     *
     * @param struct a {@code struct kvm_ioapic_state}
     */
    public static int ioregsel(MemorySegment struct) {
        return struct.get(JAVA_INT, ioregsel$OFFSET);
    }

    /**
     * Sets {@code ioregsel}, the register select register (IOREGSEL).
     *
     * @param struct a {@code struct kvm_ioapic_state}
     * @param value the new value
     */
    public static void ioregsel(MemorySegment struct, int value) {
        struct.set(JAVA_INT, ioregsel$OFFSET, value);
    }

    /**
     * {@return {@code id}, the IOAPIC's id}
     *
     * @param struct a {@code struct kvm_ioapic_state}
     */
    public static int id(MemorySegment struct) {
        return struct.get(JAVA_INT, id$OFFSET);
    }

    /**
     * Sets {@code id}, the IOAPIC's id.
     *
     * @param struct a {@code struct kvm_ioapic_state}
     * @param value the new value
     */
    public static void id(MemorySegment struct, int value) {
        struct.set(JAVA_INT, id$OFFSET, value);
    }

    /**
     * {@return {@code irr}, the interrupt request register, one bit per pin}
     *
     * @param struct a {@code struct kvm_ioapic_state}
     */
    public static int irr(MemorySegment struct) {
        return struct.get(JAVA_INT, irr$OFFSET);
    }

    /**
     * Sets {@code irr}, the interrupt request register, one bit per pin.
     *
     * @param struct a {@code struct kvm_ioapic_state}
     * @param value the new value
     */
    public static void irr(MemorySegment struct, int value) {
        struct.set(JAVA_INT, irr$OFFSET, value);
    }

    /**
     * {@return element {@code index} of {@code redirtbl}, the redirection table, one 64-bit entry per pin}
     *
     * @param struct a {@code struct kvm_ioapic_state}
     * @param index the element's index
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code redirtbl}
     */
    public static long redirtbl(MemorySegment struct, int index) {
        return struct.get(JAVA_LONG, redirtbl$OFFSET + Objects.checkIndex(index, redirtbl$LAYOUT.elementCount()) * JAVA_LONG.byteSize());
    }

    /**
     * Sets element {@code index} of {@code redirtbl}, the redirection table, one 64-bit entry per pin.
     *
     * @param struct a {@code struct kvm_ioapic_state}
     * @param index the element's index
     * @param value the new value
     * @throws IndexOutOfBoundsException when {@code index} is negative or outside {@code redirtbl}
     */
    public static void redirtbl(MemorySegment struct, int index, long value) {
        struct.set(JAVA_LONG, redirtbl$OFFSET + Objects.checkIndex(index, redirtbl$LAYOUT.elementCount()) * JAVA_LONG.byteSize(), value);
    }

    /** {@return {@code sizeof(struct kvm_ioapic_state)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_ioapic_state}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
