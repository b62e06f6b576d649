// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.util.Set;

/**
 * A KVM memory slot: guest physical range {@code [start, start + size)} backed by {@code region}.
 *
 * @param slot the slot number KVM knows it by
 * @param start the guest physical address of its first byte
 * @param region the guest memory that backs it
 * @param flags how KVM treats the slot
 */
public record MemorySlot(int slot, GuestAddress start, MemoryRegion region, Set<Flag> flags) {
    /** Copies {@code flags}, so that the record is immutable. */
    public MemorySlot {
        flags = Set.copyOf(flags);
    }

    /** Memory slot flags ({@code KVM_MEM_*}). */
    public enum Flag {
        /** KVM records which pages the guest writes; read them with {@link Vm#dirtyLog}. */
        LOG_DIRTY_PAGES,
        /** Guest writes exit to the VMM as MMIO writes instead of changing memory. */
        READONLY
    }

    /** {@return the slot's size in bytes, its region's} */
    public long size() {
        return region.size();
    }

    /** {@return the first guest physical address after the slot} */
    public GuestAddress end() {
        return start.plus(region.size());
    }

    @Override
    public String toString() {
        return "slot " + slot + " [" + start + ", " + end() + ")" + (flags.isEmpty() ? "" : " " + flags);
    }
}
