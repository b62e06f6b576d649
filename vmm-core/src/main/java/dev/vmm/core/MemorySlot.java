package dev.vmm.core;

import java.util.Set;

/**
 * A KVM memory slot: guest physical range {@code [start, start + size)} backed by {@code region}.
 *
 * @param flags how KVM treats the slot
 */
public record MemorySlot(int slot, GuestAddress start, MemoryRegion region, Set<Flag> flags) {
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

    public long size() {
        return region.size();
    }

    public GuestAddress end() {
        return start.plus(region.size());
    }

    @Override
    public String toString() {
        return "slot " + slot + " [" + start + ", " + end() + ")" + (flags.isEmpty() ? "" : " " + flags);
    }
}
