// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@snippet lang=c :
 * struct kvm_pic_state {
 *     __u8 last_irr;
 *     __u8 irr;
 *     __u8 imr;
 *     __u8 isr;
 *     __u8 priority_add;
 *     __u8 irq_base;
 *     __u8 read_reg_select;
 *     __u8 poll;
 *     __u8 special_mask;
 *     __u8 init_state;
 *     __u8 auto_eoi;
 *     __u8 rotate_on_auto_eoi;
 *     __u8 special_fully_nested_mode;
 *     __u8 init4;
 *     __u8 elcr;
 *     __u8 elcr_mask;
 * };
 * }
 * One in-kernel i8259 PIC, master or slave: the member {@code chip.pic} of {@link kvm_irqchip} for
 * {@code KVM_GET_IRQCHIP} and {@code KVM_SET_IRQCHIP}.
 */
public final class kvm_pic_state {
    private kvm_pic_state() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_irr"),
            JAVA_BYTE.withName("irr"),
            JAVA_BYTE.withName("imr"),
            JAVA_BYTE.withName("isr"),
            JAVA_BYTE.withName("priority_add"),
            JAVA_BYTE.withName("irq_base"),
            JAVA_BYTE.withName("read_reg_select"),
            JAVA_BYTE.withName("poll"),
            JAVA_BYTE.withName("special_mask"),
            JAVA_BYTE.withName("init_state"),
            JAVA_BYTE.withName("auto_eoi"),
            JAVA_BYTE.withName("rotate_on_auto_eoi"),
            JAVA_BYTE.withName("special_fully_nested_mode"),
            JAVA_BYTE.withName("init4"),
            JAVA_BYTE.withName("elcr"),
            JAVA_BYTE.withName("elcr_mask")
    ).withName("kvm_pic_state");

    /** {@return the layout of {@code struct kvm_pic_state}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code last_irr}, the input levels last seen, for edge detection. */
    public static final long last_irr$OFFSET = $LAYOUT.byteOffset(groupElement("last_irr"));
    /** Byte offset of {@code irr}, the interrupt request register. */
    public static final long irr$OFFSET = $LAYOUT.byteOffset(groupElement("irr"));
    /** Byte offset of {@code imr}, the interrupt mask register. */
    public static final long imr$OFFSET = $LAYOUT.byteOffset(groupElement("imr"));
    /** Byte offset of {@code isr}, the in-service register. */
    public static final long isr$OFFSET = $LAYOUT.byteOffset(groupElement("isr"));
    /** Byte offset of {@code priority_add}, the lowest-priority line plus 1, which rotation moves. */
    public static final long priority_add$OFFSET = $LAYOUT.byteOffset(groupElement("priority_add"));
    /** Byte offset of {@code irq_base}, the vector of line 0, from ICW2. */
    public static final long irq_base$OFFSET = $LAYOUT.byteOffset(groupElement("irq_base"));
    /**
     * Byte offset of {@code read_reg_select}, 1 when a read of the command port returns the ISR, 0 for the
     * IRR.
     */
    public static final long read_reg_select$OFFSET = $LAYOUT.byteOffset(groupElement("read_reg_select"));
    /** Byte offset of {@code poll}, 1 when the next read is a poll command's answer. */
    public static final long poll$OFFSET = $LAYOUT.byteOffset(groupElement("poll"));
    /** Byte offset of {@code special_mask}, 1 in special mask mode. */
    public static final long special_mask$OFFSET = $LAYOUT.byteOffset(groupElement("special_mask"));
    /** Byte offset of {@code init_state}, how far the initialization sequence ICW1 to ICW4 has come. */
    public static final long init_state$OFFSET = $LAYOUT.byteOffset(groupElement("init_state"));
    /** Byte offset of {@code auto_eoi}, 1 in automatic end-of-interrupt mode. */
    public static final long auto_eoi$OFFSET = $LAYOUT.byteOffset(groupElement("auto_eoi"));
    /** Byte offset of {@code rotate_on_auto_eoi}, 1 when priorities rotate on automatic EOI. */
    public static final long rotate_on_auto_eoi$OFFSET = $LAYOUT.byteOffset(groupElement("rotate_on_auto_eoi"));
    /** Byte offset of {@code special_fully_nested_mode}, 1 in special fully nested mode. */
    public static final long special_fully_nested_mode$OFFSET = $LAYOUT.byteOffset(groupElement("special_fully_nested_mode"));
    /** Byte offset of {@code init4}, 1 when the initialization sequence includes ICW4. */
    public static final long init4$OFFSET = $LAYOUT.byteOffset(groupElement("init4"));
    /**
     * Byte offset of {@code elcr}, the edge/level control register (PIIX ELCR): 1 for a level-triggered line.
     */
    public static final long elcr$OFFSET = $LAYOUT.byteOffset(groupElement("elcr"));
    /** Byte offset of {@code elcr_mask}, the lines whose ELCR bit can be set. */
    public static final long elcr_mask$OFFSET = $LAYOUT.byteOffset(groupElement("elcr_mask"));

    /**
     * {@return {@code last_irr}, the input levels last seen, for edge detection}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte last_irr(MemorySegment struct) {
        return struct.get(JAVA_BYTE, last_irr$OFFSET);
    }

    /**
     * Sets {@code last_irr}, the input levels last seen, for edge detection.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void last_irr(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, last_irr$OFFSET, value);
    }

    /**
     * {@return {@code irr}, the interrupt request register}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte irr(MemorySegment struct) {
        return struct.get(JAVA_BYTE, irr$OFFSET);
    }

    /**
     * Sets {@code irr}, the interrupt request register.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void irr(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, irr$OFFSET, value);
    }

    /**
     * {@return {@code imr}, the interrupt mask register}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte imr(MemorySegment struct) {
        return struct.get(JAVA_BYTE, imr$OFFSET);
    }

    /**
     * Sets {@code imr}, the interrupt mask register.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void imr(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, imr$OFFSET, value);
    }

    /**
     * {@return {@code isr}, the in-service register}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte isr(MemorySegment struct) {
        return struct.get(JAVA_BYTE, isr$OFFSET);
    }

    /**
     * Sets {@code isr}, the in-service register.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void isr(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, isr$OFFSET, value);
    }

    /**
     * {@return {@code priority_add}, the lowest-priority line plus 1, which rotation moves}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte priority_add(MemorySegment struct) {
        return struct.get(JAVA_BYTE, priority_add$OFFSET);
    }

    /**
     * Sets {@code priority_add}, the lowest-priority line plus 1, which rotation moves.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void priority_add(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, priority_add$OFFSET, value);
    }

    /**
     * {@return {@code irq_base}, the vector of line 0, from ICW2}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte irq_base(MemorySegment struct) {
        return struct.get(JAVA_BYTE, irq_base$OFFSET);
    }

    /**
     * Sets {@code irq_base}, the vector of line 0, from ICW2.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void irq_base(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, irq_base$OFFSET, value);
    }

    /**
     * {@return {@code read_reg_select}, 1 when a read of the command port returns the ISR, 0 for the IRR}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte read_reg_select(MemorySegment struct) {
        return struct.get(JAVA_BYTE, read_reg_select$OFFSET);
    }

    /**
     * Sets {@code read_reg_select}, 1 when a read of the command port returns the ISR, 0 for the IRR.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void read_reg_select(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, read_reg_select$OFFSET, value);
    }

    /**
     * {@return {@code poll}, 1 when the next read is a poll command's answer}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte poll(MemorySegment struct) {
        return struct.get(JAVA_BYTE, poll$OFFSET);
    }

    /**
     * Sets {@code poll}, 1 when the next read is a poll command's answer.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void poll(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, poll$OFFSET, value);
    }

    /**
     * {@return {@code special_mask}, 1 in special mask mode}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte special_mask(MemorySegment struct) {
        return struct.get(JAVA_BYTE, special_mask$OFFSET);
    }

    /**
     * Sets {@code special_mask}, 1 in special mask mode.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void special_mask(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, special_mask$OFFSET, value);
    }

    /**
     * {@return {@code init_state}, how far the initialization sequence ICW1 to ICW4 has come}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte init_state(MemorySegment struct) {
        return struct.get(JAVA_BYTE, init_state$OFFSET);
    }

    /**
     * Sets {@code init_state}, how far the initialization sequence ICW1 to ICW4 has come.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void init_state(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, init_state$OFFSET, value);
    }

    /**
     * {@return {@code auto_eoi}, 1 in automatic end-of-interrupt mode}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte auto_eoi(MemorySegment struct) {
        return struct.get(JAVA_BYTE, auto_eoi$OFFSET);
    }

    /**
     * Sets {@code auto_eoi}, 1 in automatic end-of-interrupt mode.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void auto_eoi(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, auto_eoi$OFFSET, value);
    }

    /**
     * {@return {@code rotate_on_auto_eoi}, 1 when priorities rotate on automatic EOI}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte rotate_on_auto_eoi(MemorySegment struct) {
        return struct.get(JAVA_BYTE, rotate_on_auto_eoi$OFFSET);
    }

    /**
     * Sets {@code rotate_on_auto_eoi}, 1 when priorities rotate on automatic EOI.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void rotate_on_auto_eoi(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, rotate_on_auto_eoi$OFFSET, value);
    }

    /**
     * {@return {@code special_fully_nested_mode}, 1 in special fully nested mode}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte special_fully_nested_mode(MemorySegment struct) {
        return struct.get(JAVA_BYTE, special_fully_nested_mode$OFFSET);
    }

    /**
     * Sets {@code special_fully_nested_mode}, 1 in special fully nested mode.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void special_fully_nested_mode(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, special_fully_nested_mode$OFFSET, value);
    }

    /**
     * {@return {@code init4}, 1 when the initialization sequence includes ICW4}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte init4(MemorySegment struct) {
        return struct.get(JAVA_BYTE, init4$OFFSET);
    }

    /**
     * Sets {@code init4}, 1 when the initialization sequence includes ICW4.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void init4(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, init4$OFFSET, value);
    }

    /**
     * {@return {@code elcr}, the edge/level control register (PIIX ELCR): 1 for a level-triggered line}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte elcr(MemorySegment struct) {
        return struct.get(JAVA_BYTE, elcr$OFFSET);
    }

    /**
     * Sets {@code elcr}, the edge/level control register (PIIX ELCR): 1 for a level-triggered line.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void elcr(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, elcr$OFFSET, value);
    }

    /**
     * {@return {@code elcr_mask}, the lines whose ELCR bit can be set}
     *
     * @param struct a {@code struct kvm_pic_state}
     */
    public static byte elcr_mask(MemorySegment struct) {
        return struct.get(JAVA_BYTE, elcr_mask$OFFSET);
    }

    /**
     * Sets {@code elcr_mask}, the lines whose ELCR bit can be set.
     *
     * @param struct a {@code struct kvm_pic_state}
     * @param value the new value
     */
    public static void elcr_mask(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, elcr_mask$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_pic_state)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_pic_state}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
