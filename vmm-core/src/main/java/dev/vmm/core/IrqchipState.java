// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmConstants;
import dev.vmm.ffm.kvm.kvm_ioapic_state;
import dev.vmm.ffm.kvm.kvm_irqchip;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The state of one in-kernel interrupt controller (the union {@code kvm_irqchip.chip}), as
 * {@link Vm#irqchip} reads it and {@link Vm#setIrqchip} writes it back: which controller, and its
 * 512 bytes, opaque but for the IOAPIC's redirection table, which a VMM may need to read or fix up.
 * Immutable.
 */
public final class IrqchipState {
    /** The size of the state, the union {@code kvm_irqchip.chip}. */
    public static final int SIZE = (int) (kvm_irqchip.sizeof() - kvm_irqchip.chip$OFFSET);

    private final Irqchip chip;
    private final byte[] bytes;

    private IrqchipState(Irqchip chip, byte[] bytes) {
        this.chip = chip;
        this.bytes = bytes;
    }

    /**
     * {@return the state of {@code chip} held in a copy of {@code bytes}}
     *
     * @param chip the controller the state belongs to
     * @param bytes its state, {@link #SIZE} bytes, as {@link #bytes()} returned it
     * @throws IllegalArgumentException when {@code bytes} is not {@link #SIZE} bytes
     */
    public static IrqchipState of(Irqchip chip, byte[] bytes) {
        Objects.requireNonNull(chip, "chip");
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("An irqchip state is " + SIZE + " bytes, not " + bytes.length + ".");
        }
        return new IrqchipState(chip, bytes.clone());
    }

    /** Takes ownership of {@code bytes}, which came from KVM. */
    static IrqchipState wrap(Irqchip chip, byte[] bytes) {
        return new IrqchipState(chip, bytes);
    }

    /** {@return the controller this state belongs to} */
    public Irqchip chip() {
        return chip;
    }

    /** {@return a copy of the state's {@link #SIZE} bytes, for storing in a snapshot} */
    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] bytesUnsafe() {
        return bytes;
    }

    /**
     * {@return IOAPIC redirection table entry {@code pin}: vector in bits 0 to 7, delivery mode 8 to
     * 10, destination mode 11, delivery status 12, polarity 13, remote IRR 14, trigger mode 15, mask
     * 16, destination 56 to 63}
     *
     * @param pin the IOAPIC pin, 0 to 23
     * @throws IllegalStateException when this is not the IOAPIC's state
     * @throws IndexOutOfBoundsException when {@code pin} is not 0 to 23
     */
    public long redirectionEntry(int pin) {
        return buffer().getLong(redirectionOffset(pin));
    }

    /**
     * {@return this IOAPIC state with redirection table entry {@code pin} replaced}
     *
     * @param pin the IOAPIC pin, 0 to 23
     * @param entry the new entry, laid out as {@link #redirectionEntry} describes
     * @throws IllegalStateException when this is not the IOAPIC's state
     * @throws IndexOutOfBoundsException when {@code pin} is not 0 to 23
     */
    public IrqchipState withRedirectionEntry(int pin, long entry) {
        int offset = redirectionOffset(pin);
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, entry);
        return new IrqchipState(chip, copy);
    }

    private int redirectionOffset(int pin) {
        if (chip != Irqchip.IOAPIC) {
            throw new IllegalStateException("Only the IOAPIC has a redirection table; this is the " + chip + "'s state.");
        }
        Objects.checkIndex(pin, KvmConstants.KVM_IOAPIC_NUM_PINS);
        return (int) (kvm_ioapic_state.redirtbl$OFFSET + (long) pin * Long.BYTES);
    }

    private ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IrqchipState state && chip == state.chip && Arrays.equals(bytes, state.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * chip.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "IrqchipState[" + chip + "]";
    }
}
