// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.GuestMemory;

/** The host page size behind guest memory, as the benchmarks' {@code pages} parameter names it. */
enum PageSize {
    /** 4 KiB pages: anonymous memory with transparent huge pages turned off for it. */
    SMALL("4k", GuestMemory.Backing.ANONYMOUS),
    /** 2 MiB transparent huge pages where the kernel can (MADV_HUGEPAGE). */
    HUGE("2m-thp", GuestMemory.Backing.TRANSPARENT_HUGE_PAGES);

    private final String label;
    private final GuestMemory.Backing backing;

    PageSize(String label, GuestMemory.Backing backing) {
        this.label = label;
        this.backing = backing;
    }

    GuestMemory.Backing backing() {
        return backing;
    }

    static PageSize of(String label) {
        for (PageSize size : values()) {
            if (size.label.equals(label)) {
                return size;
            }
        }
        throw new IllegalArgumentException("Unknown page size '" + label + "': use 4k or 2m-thp.");
    }

    @Override
    public String toString() {
        return label;
    }
}
