// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.io.ByteArrayOutputStream;
import java.util.BitSet;

/**
 * One resource descriptor of a {@link Aml#resourceTemplate ResourceTemplate}, the buffer a
 * device's {@code _CRS} returns to say which ports, interrupts and memory it decodes (ACPI 6.3,
 * 6.4 "Resource Data Types"). Each factory checks its values against the descriptor's fields.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=resource}
 */
public final class Resource {
    /** How an interrupt is signalled. */
    public enum Trigger {
        /** By an edge: one interrupt per transition. */
        EDGE,
        /** By a level: pending while the line is active. */
        LEVEL
    }

    /** Which level or edge of an interrupt line is active. */
    public enum Polarity {
        /** The high level, or the rising edge. */
        ACTIVE_HIGH,
        /** The low level, or the falling edge. */
        ACTIVE_LOW
    }

    private static final int IO_PORT = 0x47;            // small item 0x08, 7 bytes
    private static final int IRQ_NO_FLAGS = 0x22;       // small item 0x04, 2 bytes
    private static final int MEMORY32_FIXED = 0x86;     // large item 0x06
    private static final int EXTENDED_INTERRUPT = 0x89; // large item 0x09
    private static final int ISA_IRQS = 16;
    /** The extended interrupt descriptor counts its interrupts in one byte. */
    private static final int MAX_INTERRUPTS = 255;

    private final byte[] encoding;

    private Resource(byte[] encoding) {
        this.encoding = encoding;
    }

    /**
     * {@code IO (Decode16, minimum, maximum, alignment, length)}: a range of {@code length} ports
     * whose base lies between {@code minimum} and {@code maximum}; a fixed range has them equal.
     *
     * @param minimum the lowest base port
     * @param maximum the highest base port
     * @param alignment the base's alignment, 0 to 0xFF
     * @param length the number of ports, 0 to 0xFF
     * @return the descriptor
     * @throws IllegalArgumentException when a port is beyond 0xFFFF, the minimum above the
     *     maximum, the alignment or length beyond 0xFF, or the minimum or maximum not a multiple of
     *     a non-zero alignment (as the ASL compiler requires)
     */
    public static Resource io(int minimum, int maximum, int alignment, int length) {
        checkRange("I/O port minimum", minimum, 0xffff);
        checkRange("I/O port maximum", maximum, 0xffff);
        checkRange("I/O port alignment", alignment, 0xff);
        checkRange("I/O port range length", length, 0xff);
        if (minimum > maximum) {
            throw new IllegalArgumentException("I/O port minimum 0x" + Integer.toHexString(minimum) + " is above the maximum 0x"
                    + Integer.toHexString(maximum) + ": give minimum <= maximum.");
        }
        if (alignment != 0 && (minimum % alignment != 0 || maximum % alignment != 0)) {
            throw new IllegalArgumentException("I/O port minimum 0x" + Integer.toHexString(minimum) + " and maximum 0x" + Integer.toHexString(maximum)
                    + " must be multiples of the alignment 0x" + Integer.toHexString(alignment) + ".");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(IO_PORT);
        out.write(1); // decodes all 16 address bits
        writeLittleEndian(out, minimum, 2);
        writeLittleEndian(out, maximum, 2);
        out.write(alignment);
        out.write(length);
        return new Resource(out.toByteArray());
    }

    /**
     * {@code IRQNoFlags () {irqs}}: ISA interrupts 0 to 15, which this short form declares
     * edge-triggered, active-high and exclusive.
     *
     * @param irqs the ISA interrupts, 0 to 15
     * @return the descriptor
     * @throws IllegalArgumentException when there is no IRQ, one is outside 0 to 15, or one repeats
     */
    public static Resource irqNoFlags(int... irqs) {
        if (irqs.length == 0) {
            throw new IllegalArgumentException("An IRQ descriptor lists no IRQ: give at least one of 0 to 15.");
        }
        BitSet mask = new BitSet(ISA_IRQS);
        for (int irq : irqs) {
            checkRange("ISA IRQ", irq, ISA_IRQS - 1);
            if (mask.get(irq)) {
                throw new IllegalArgumentException("ISA IRQ " + irq + " is listed twice in one IRQ descriptor: list each once.");
            }
            mask.set(irq);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(IRQ_NO_FLAGS);
        writeLittleEndian(out, mask.toLongArray()[0], 2);
        return new Resource(out.toByteArray());
    }

    /**
     * {@code Interrupt (ResourceConsumer, trigger, polarity, Exclusive or Shared) {gsis}}: the
     * extended interrupt descriptor, which names global system interrupts of any number and says
     * how they are signalled.
     *
     * @param trigger edge or level
     * @param polarity the active level or edge
     * @param shared whether other devices may share the interrupts
     * @param gsis the global system interrupts, 1 to 255 of them
     * @return the descriptor
     * @throws IllegalArgumentException when there are no interrupts or more than 255, or one is
     *     outside 0 to 0xFFFFFFFF
     */
    public static Resource interrupt(Trigger trigger, Polarity polarity, boolean shared, long... gsis) {
        if (gsis.length == 0 || gsis.length > MAX_INTERRUPTS) {
            throw new IllegalArgumentException("An extended interrupt descriptor holds 1 to " + MAX_INTERRUPTS + " interrupts, not " + gsis.length + ".");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(EXTENDED_INTERRUPT);
        writeLittleEndian(out, 2 + 4L * gsis.length, 2); // flags, count and the interrupts
        int flags = 1 // a consumer: the device uses the interrupt, it does not provide it
                | (trigger == Trigger.EDGE ? 1 << 1 : 0)
                | (polarity == Polarity.ACTIVE_LOW ? 1 << 2 : 0)
                | (shared ? 1 << 3 : 0);
        out.write(flags);
        out.write(gsis.length);
        for (long gsi : gsis) {
            if (gsi < 0 || gsi > 0xffff_ffffL) {
                throw new IllegalArgumentException("Interrupt " + gsi + " is outside 0 to 0xFFFFFFFF: give a global system interrupt number.");
            }
            writeLittleEndian(out, gsi, 4);
        }
        return new Resource(out.toByteArray());
    }

    /**
     * {@code Memory32Fixed (ReadWrite or ReadOnly, base, length)}: {@code length} bytes of
     * memory-mapped registers or memory at {@code base}.
     *
     * @param writable ReadWrite rather than ReadOnly
     * @param base the range's first physical address, below 4 GiB
     * @param length its size in bytes
     * @return the descriptor
     * @throws IllegalArgumentException when the base or length is outside 32 bits, or the range
     *     crosses 4 GiB
     */
    public static Resource memory32Fixed(boolean writable, long base, long length) {
        if (base < 0 || length < 0 || base > 0xffff_ffffL || length > 0xffff_ffffL || base + length > 1L << 32) {
            throw new IllegalArgumentException("A 32-bit memory range at 0x" + Long.toHexString(base) + " of 0x" + Long.toHexString(length)
                    + " bytes does not fit below 4 GiB: give a base and length within 32 bits.");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(MEMORY32_FIXED);
        writeLittleEndian(out, 9, 2); // information, base and length
        out.write(writable ? 1 : 0);
        writeLittleEndian(out, base, 4);
        writeLittleEndian(out, length, 4);
        return new Resource(out.toByteArray());
    }

    /** {@return a copy of the descriptor's bytes} */
    public byte[] encode() {
        return encoding.clone();
    }

    void writeTo(ByteArrayOutputStream out) {
        out.writeBytes(encoding);
    }

    private static void checkRange(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is outside 0 to " + max + ".");
        }
    }

    static void writeLittleEndian(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }
}
