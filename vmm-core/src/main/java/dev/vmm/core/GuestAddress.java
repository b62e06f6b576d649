package dev.vmm.core;

/**
 * A guest physical address. A value type so that guest addresses, host addresses and sizes cannot
 * be mixed up in signatures.
 */
public record GuestAddress(long value) implements Comparable<GuestAddress> {
    public static GuestAddress of(long value) {
        return new GuestAddress(value);
    }

    /** This address plus {@code offset}; fails on unsigned overflow. */
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
