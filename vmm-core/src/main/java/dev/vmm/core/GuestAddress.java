// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

/**
 * A guest physical address. A value type so that guest addresses, host addresses and sizes cannot
 * be mixed up in signatures.
 *
 * @param value the address, unsigned
 */
public record GuestAddress(long value) implements Comparable<GuestAddress> {
    /**
     * {@return the guest physical address {@code value}}
     *
     * @param value the address, unsigned
     */
    public static GuestAddress of(long value) {
        return new GuestAddress(value);
    }

    /**
     * {@return this address plus {@code offset}}
     *
     * @param offset the bytes to add
     * @throws IllegalArgumentException when the sum overflows 64 bits, unsigned
     */
    public GuestAddress plus(long offset) {
        long sum = value + offset;
        if (Long.compareUnsigned(sum, value) < 0) {
            throw new IllegalArgumentException("Guest address " + this + " + 0x" + Long.toHexString(offset) + " overflows 64 bits.");
        }
        return new GuestAddress(sum);
    }

    @Override
    public int compareTo(GuestAddress other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(value);
    }
}
