// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.lang.foreign.MemorySegment;

/**
 * One contiguous range of guest physical memory and the host mapping that backs it. Owned by its
 * {@link GuestMemory}, which unmaps it on close.
 */
public final class MemoryRegion {
    private final GuestMemory owner;
    private final GuestAddress start;
    private final MemorySegment host;

    MemoryRegion(GuestMemory owner, GuestAddress start, MemorySegment host) {
        this.owner = owner;
        this.start = start;
        this.host = host;
    }

    /** {@return the first guest physical address of the region} */
    public GuestAddress start() {
        return start;
    }

    /** {@return the region's size in bytes} */
    public long size() {
        return host.byteSize();
    }

    /** {@return the first guest physical address after the region} */
    public GuestAddress end() {
        return start.plus(size());
    }

    /**
     * {@return whether {@code [address, address + length)} lies inside this region}
     *
     * @param address the range's first guest physical address
     * @param length the range's length in bytes; a negative one is never inside
     */
    public boolean contains(GuestAddress address, long length) {
        long offset = address.value() - start.value();
        return Long.compareUnsigned(address.value(), start.value()) >= 0
                && length >= 0
                && Long.compareUnsigned(offset, size()) <= 0
                && length <= size() - offset;
    }

    MemorySegment host() {
        return host;
    }

    /** The guest memory this region belongs to, which a {@link Vm} tells when it maps the region. */
    GuestMemory owner() {
        return owner;
    }

    /** The host bytes behind {@code [address, address + length)}, which must lie in this region. */
    MemorySegment slice(GuestAddress address, long length) {
        return host.asSlice(address.value() - start.value(), length);
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end() + ")";
    }
}
