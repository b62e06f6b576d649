// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One address space of guest accesses that leave the CPU: the 64 KiB of I/O ports, or the MMIO
 * addresses no memory slot covers. Devices claim ranges; an access goes whole to the device whose
 * range contains all of it. Anything else is {@linkplain UnhandledAccesses counted} (bounded) and
 * dropped: a read sees all ones, as on a bus with nothing on it. No access is ever fatal.
 *
 * <p>Lookups take no lock (the device table is replaced whole when a device is added), so vCPUs
 * reach different devices in parallel; each device guards its own state.
 */
public final class Bus {
    /** Which address space, and how far it reaches. */
    public enum Space {
        /** The I/O ports, 0 to 0xffff. */
        PORT("port", 0x1_0000L),
        /** MMIO: guest physical addresses no memory slot covers, the whole 64-bit space. */
        MMIO("mmio", -1L); // the whole 64-bit space (compared unsigned)

        private final String label;
        private final long end;

        Space(String label, long end) {
            this.label = label;
            this.end = end;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** The longest single access a device sees (an 8-byte MMIO access is the widest a vCPU makes). */
    public static final int MAX_ACCESS = 8;

    private record Range(long base, long length, BusDevice device) {
        long last() {
            return base + length - 1;
        }
    }

    private final Space space;
    private final UnhandledAccesses unhandled = new UnhandledAccesses();
    private volatile Range[] ranges = new Range[0]; // sorted by base, never overlapping

    /**
     * An empty bus.
     *
     * @param space the address space it decodes
     */
    public Bus(Space space) {
        this.space = space;
    }

    /** {@return the address space this bus decodes} */
    public Space space() {
        return space;
    }

    /**
     * Claims {@code [base, base + length)} for {@code device}.
     *
     * @param base the first address of the range
     * @param length the range's length
     * @param device the device that gets every access inside it
     * @return this bus
     * @throws IllegalArgumentException when the range is empty, leaves the space, or overlaps a claimed one
     */
    public synchronized Bus register(long base, long length, BusDevice device) {
        long last = base + length - 1;
        boolean fits = length > 0 && Long.compareUnsigned(last, base) >= 0
                && (space.end == -1L || Long.compareUnsigned(last, space.end - 1) <= 0);
        if (!fits) {
            throw new IllegalArgumentException(space + " range 0x" + Long.toHexString(base) + " + " + length
                    + " is empty or does not fit in the " + space + " space: give a positive length that ends inside it.");
        }
        List<Range> next = new ArrayList<>(Arrays.asList(ranges));
        for (Range r : next) {
            if (Long.compareUnsigned(base, r.last()) <= 0 && Long.compareUnsigned(r.base, last) <= 0) {
                throw new IllegalArgumentException(space + " range 0x" + Long.toHexString(base) + " + " + length + " overlaps "
                        + r.device + " at 0x" + Long.toHexString(r.base) + " + " + r.length + ": choose a free range.");
            }
        }
        next.add(new Range(base, length, device));
        next.sort((a, b) -> Long.compareUnsigned(a.base, b.base));
        ranges = next.toArray(Range[]::new);
        return this;
    }

    /**
     * The guest reads {@code data.length} bytes at {@code address}; {@code data} receives them (all
     * ones when no device claims the whole access).
     *
     * @param address the port or guest physical address
     * @param data receives the bytes, 1 to {@link #MAX_ACCESS} of them
     */
    public void read(long address, byte[] data) {
        Arrays.fill(data, (byte) 0xff);
        Range range = find(address, data.length);
        if (range == null) {
            unhandled.count(space, false, address);
        } else {
            range.device.read(address - range.base, data);
        }
    }

    /**
     * The guest writes {@code data} at {@code address}; dropped (and counted) when no device claims
     * the whole access.
     *
     * @param address the port or guest physical address
     * @param data the bytes written, 1 to {@link #MAX_ACCESS} of them
     */
    public void write(long address, byte[] data) {
        Range range = find(address, data.length);
        if (range == null) {
            unhandled.count(space, true, address);
        } else {
            range.device.write(address - range.base, data);
        }
    }

    /** The range that holds all of {@code [address, address + length)}, or null. */
    private Range find(long address, int length) {
        if (length < 1 || length > MAX_ACCESS) {
            return null;
        }
        long last = address + length - 1;
        if (Long.compareUnsigned(last, address) < 0 || (space.end != -1L && Long.compareUnsigned(last, space.end - 1) > 0)) {
            return null; // wraps around, or runs past the end of the space (a 4-byte access at port 0xfffe)
        }
        Range[] table = ranges;
        int low = 0;
        int high = table.length - 1;
        while (low <= high) { // the last range whose base is <= address
            int middle = (low + high) >>> 1;
            if (Long.compareUnsigned(table[middle].base, address) <= 0) {
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        if (high < 0) {
            return null;
        }
        Range range = table[high];
        return Long.compareUnsigned(last, range.last()) <= 0 ? range : null;
    }

    /** {@return what the guest accessed that no device claimed} */
    public UnhandledAccesses.Snapshot unhandled() {
        return unhandled.snapshot();
    }
}
