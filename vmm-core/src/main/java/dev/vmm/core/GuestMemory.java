package dev.vmm.core;

import dev.vmm.ffm.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A guest's physical memory: one or more regions with holes between them, each backed by a host
 * mapping. Reads and writes are by guest physical address and bounds-checked; an access that is
 * not entirely inside one region fails with an IllegalArgumentException.
 *
 * {@snippet :
 * try (GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 64 << 20)) {
 *     memory.write(GuestAddress.of(0x1000), new byte[] {(byte) 0xf4}); // hlt
 * }
 * }
 */
public final class GuestMemory implements AutoCloseable {
    public static final long PAGE_SIZE = 4096;

    private final Arena mappings;
    private final List<MemoryRegion> regions;

    private GuestMemory(Arena mappings, List<MemoryRegion> regions) {
        this.mappings = mappings;
        this.regions = List.copyOf(regions);
    }

    /**
     * One region of private anonymous memory at {@code start}, mapped lazily: host pages are
     * allocated on first touch (MAP_NORESERVE).
     */
    public static GuestMemory anonymous(GuestAddress start, long size) {
        return anonymous(List.of(new Range(start, size)));
    }

    /** Several regions of private anonymous memory; the ranges must not overlap. */
    public static GuestMemory anonymous(List<Range> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("Guest memory needs at least one range.");
        }
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing(Range::start));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).start().compareTo(sorted.get(i - 1).end()) < 0) {
                throw new IllegalArgumentException("Guest memory ranges " + sorted.get(i - 1) + " and " + sorted.get(i) + " overlap.");
            }
        }
        Arena mappings = Arena.ofShared();
        List<MemoryRegion> regions = new ArrayList<>();
        try {
            for (Range range : sorted) {
                MemorySegment host = Libc.mmap(range.size(), Libc.PROT_READ | Libc.PROT_WRITE,
                        Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, 0, mappings);
                if (host == null) {
                    throw new KvmException("mmap", Libc.errno(), "size=" + range.size());
                }
                regions.add(new MemoryRegion(range.start(), host));
            }
        } catch (RuntimeException e) {
            mappings.close();
            throw e;
        }
        return new GuestMemory(mappings, regions);
    }

    /** A range of guest physical memory: page-aligned start and a positive page-multiple size. */
    public record Range(GuestAddress start, long size) {
        public Range {
            if ((start.value() & (PAGE_SIZE - 1)) != 0) {
                throw new IllegalArgumentException("Guest memory start " + start + " is not 4 KiB aligned: use a multiple of 0x1000.");
            }
            if (size <= 0 || (size & (PAGE_SIZE - 1)) != 0) {
                throw new IllegalArgumentException("Guest memory size " + size + " is not a positive multiple of 4096 bytes.");
            }
            start.plus(size); // rejects ranges that wrap around
        }

        public GuestAddress end() {
            return start.plus(size);
        }
    }

    /** The regions, ordered by guest address. */
    public List<MemoryRegion> regions() {
        checkOpen();
        return regions;
    }

    /** Total bytes over all regions. */
    public long size() {
        return regions.stream().mapToLong(MemoryRegion::size).sum();
    }

    /** Copies {@code data} to guest memory at {@code address}. */
    public void write(GuestAddress address, byte[] data) {
        MemorySegment.copy(data, 0, hostSlice(address, data.length), ValueLayout.JAVA_BYTE, 0, data.length);
    }

    /** Reads {@code length} bytes of guest memory at {@code address}. */
    public byte[] read(GuestAddress address, int length) {
        return hostSlice(address, length).toArray(ValueLayout.JAVA_BYTE);
    }

    private MemorySegment hostSlice(GuestAddress address, long length) {
        checkOpen();
        for (MemoryRegion region : regions) {
            if (region.contains(address, length)) {
                return region.slice(address, length);
            }
        }
        throw new IllegalArgumentException("Guest range [" + address + ", +" + length + ") is not inside one memory region " + regions + ".");
    }

    private void checkOpen() {
        if (!mappings.scope().isAlive()) {
            throw new IllegalStateException("This guest memory is closed; create a new one.");
        }
    }

    /**
     * Unmaps every region; later accesses fail with IllegalStateException. Close the VM that maps
     * this memory first: KVM keeps no reference to it and would find nothing there.
     */
    @Override
    public synchronized void close() {
        if (mappings.scope().isAlive()) {
            mappings.close();
        }
    }
}
