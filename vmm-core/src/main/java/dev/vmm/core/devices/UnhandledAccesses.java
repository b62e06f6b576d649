// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Counts accesses no device claimed, in bounded space whatever the guest does: a total, and the
 * most frequent addresses (the "space-saving" heavy-hitter count of Metwally et al.: when the
 * table is full, a new address takes the place of the least counted one and inherits its count as
 * possible error, so any address behind more than 1/{@value #TRACKED} of all accesses is in the
 * table, and a sweep over a million addresses costs no memory).
 */
public final class UnhandledAccesses {
    /** How many distinct addresses are kept. */
    public static final int TRACKED = 32;

    /**
     * One kind of access at one address, and how often it surely happened (at least {@code count} times).
     *
     * @param space the bus it went to
     * @param write whether the guest wrote rather than read
     * @param address the port or guest physical address
     * @param count the accesses, at least
     */
    public record Access(Bus.Space space, boolean write, long address, long count) {
        @Override
        public String toString() {
            return space + (write ? " write" : " read") + " 0x" + Long.toHexString(address) + " x " + count;
        }
    }

    /**
     * Every unhandled access counted, and the most frequent ones, most first.
     *
     * @param total every unhandled access
     * @param top the most frequent ones, at most {@link #TRACKED}
     */
    public record Snapshot(long total, List<Access> top) {
        /** No access at all. */
        public static final Snapshot NONE = new Snapshot(0, List.of());

        /**
         * {@return this and {@code other} together (the top entries merged, still bounded)}
         *
         * @param other another snapshot, e.g. of the other bus
         */
        public Snapshot plus(Snapshot other) {
            List<Access> merged = new ArrayList<>(top);
            merged.addAll(other.top);
            merged.sort(Comparator.comparingLong(Access::count).reversed());
            return new Snapshot(total + other.total, List.copyOf(merged.subList(0, Math.min(TRACKED, merged.size()))));
        }
    }

    private final Bus.Space[] spaces = new Bus.Space[TRACKED];
    private final boolean[] writes = new boolean[TRACKED];
    private final long[] addresses = new long[TRACKED];
    private final long[] counts = new long[TRACKED]; // upper bounds
    private final long[] errors = new long[TRACKED]; // what each inherited: count - error is a lower bound
    private int used;
    private long total;

    /** An empty count. */
    public UnhandledAccesses() {}

    synchronized void count(Bus.Space space, boolean write, long address) {
        total++;
        int least = 0;
        for (int i = 0; i < used; i++) {
            if (addresses[i] == address && writes[i] == write && spaces[i] == space) {
                counts[i]++;
                return;
            }
            if (counts[i] < counts[least]) {
                least = i;
            }
        }
        boolean full = used == TRACKED;
        int slot = full ? least : used++;
        long inherited = full ? counts[least] : 0;
        spaces[slot] = space;
        writes[slot] = write;
        addresses[slot] = address;
        counts[slot] = inherited + 1;
        errors[slot] = inherited;
    }

    synchronized Snapshot snapshot() {
        List<Access> top = new ArrayList<>();
        for (int i = 0; i < used; i++) {
            top.add(new Access(spaces[i], writes[i], addresses[i], counts[i] - errors[i]));
        }
        top.sort(Comparator.comparingLong(Access::count).reversed());
        return new Snapshot(total, List.copyOf(top));
    }
}
