// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.libc.NativeAccess;
import dev.vmm.ffm.libc.PageMap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * A guest's physical memory: one or more regions with holes between them, each backed by a host
 * mapping. Reads and writes are by guest physical address and bounds-checked; an access that is
 * not entirely inside one region fails with an IllegalArgumentException.
 *
 * <p>Close it after every {@link Vm} that maps it: while an open VM maps it, {@link #close()}
 * refuses, because KVM would go on using the host addresses after they were given back.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=guest-memory}
 * }
 */
public final class GuestMemory implements AutoCloseable {
    /** The x86 page size, 4 KiB: regions, memory slots and pre-faults are aligned to it. */
    public static final long PAGE_SIZE = 4096;
    /** The x86 large page size, 2 MiB, which {@link Backing#HUGETLB_2M} ranges are aligned to. */
    public static final long HUGE_PAGE_SIZE = 2 << 20;
    private static final long POPULATE_CHUNK = 64L << 20;
    /** Largest read from a file into guest memory at once: a ByteBuffer holds at most 2 GiB. */
    private static final long FILE_CHUNK = 1L << 20;
    // Guest structures are little-endian. The aligned layouts are single loads and stores, which the
    // guest never sees half done; the unaligned ones serve any other address.
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_UNALIGNED = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32_UNALIGNED = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64_UNALIGNED = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** How the host provides the memory. Every kind is mapped lazily: pages appear on first touch. */
    public enum Backing {
        /**
         * Private anonymous memory with 4 KiB pages (MAP_NORESERVE, MADV_NOHUGEPAGE: the page size
         * stays 4 KiB whatever the host's transparent huge page setting is).
         */
        ANONYMOUS,
        /** Private anonymous memory marked MADV_HUGEPAGE: 2 MiB pages where the kernel can. */
        TRANSPARENT_HUGE_PAGES,
        /** 2 MiB pages from hugetlbfs (MAP_HUGETLB); needs pages reserved in /proc/sys/vm/nr_hugepages. */
        HUGETLB_2M,
        /** A shared mapping of a memfd, e.g. to hand the memory to another process. */
        MEMFD,
        /**
         * A private mapping of a file ({@link #mapPrivate}): reads come from the file's page cache,
         * the first write to a page copies it, and the file never changes (as Firecracker restores
         * a snapshot's memory).
         */
        FILE_PRIVATE
    }

    private final Arena mappings;
    private final Backing backing;
    private final List<MemoryRegion> regions;
    private final Set<Vm> mappedBy = new HashSet<>(); // guarded by this: open VMs with a slot here
    private final InUse populating = new InUse(); // populate chunks in flight; closed on close()

    private GuestMemory(Arena mappings, Backing backing, List<Range> ranges, List<MemorySegment> hosts) {
        this.mappings = mappings;
        this.backing = backing;
        List<MemoryRegion> regions = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            regions.add(new MemoryRegion(this, ranges.get(i).start(), hosts.get(i)));
        }
        this.regions = List.copyOf(regions);
    }

    /**
     * {@return guest memory of one region of private anonymous memory at {@code start}}
     *
     * @param start the region's first guest physical address, 4 KiB aligned
     * @param size its size in bytes, a positive multiple of 4 KiB
     * @throws IllegalArgumentException when the range is not page-aligned
     * @throws KvmException when the host cannot map it
     */
    public static GuestMemory anonymous(GuestAddress start, long size) {
        return create(Backing.ANONYMOUS, List.of(new Range(start, size)));
    }

    /**
     * {@return guest memory of several regions of private anonymous memory}
     *
     * @param ranges the regions, at least one; they must not overlap
     * @throws IllegalArgumentException when there is none or two overlap
     * @throws KvmException when the host cannot map them
     */
    public static GuestMemory anonymous(List<Range> ranges) {
        return create(Backing.ANONYMOUS, ranges);
    }

    /**
     * {@return guest memory of regions of the given backing}
     *
     * @param backing how the host provides the memory
     * @param ranges the regions, at least one; they must not overlap (and be 2 MiB aligned for
     *     {@link Backing#HUGETLB_2M})
     * @throws IllegalArgumentException when there is none, two overlap, or one is misaligned
     * @throws KvmException when the host cannot map them, e.g. ENOMEM without reserved huge pages
     */
    public static GuestMemory create(Backing backing, List<Range> ranges) {
        NativeAccess.require(); // before the first restricted call, which would print the JDK's own warning
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
        if (backing == Backing.HUGETLB_2M) {
            for (Range range : sorted) {
                if (range.start().value() % HUGE_PAGE_SIZE != 0 || range.size() % HUGE_PAGE_SIZE != 0) {
                    throw new IllegalArgumentException("Range " + range + " is not 2 MiB aligned, which HUGETLB_2M backing needs.");
                }
            }
        }
        Arena mappings = Arena.ofShared();
        List<MemorySegment> hosts = new ArrayList<>();
        try {
            for (Range range : sorted) {
                hosts.add(map(backing, range.size(), mappings));
            }
        } catch (RuntimeException e) {
            mappings.close();
            throw e;
        }
        return new GuestMemory(mappings, backing, sorted, hosts);
    }

    private static MemorySegment map(Backing backing, long size, Arena mappings) {
        int rw = Libc.PROT_READ | Libc.PROT_WRITE;
        int privateAnonymous = Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE;
        MemorySegment host = switch (backing) {
            case ANONYMOUS, TRANSPARENT_HUGE_PAGES -> Libc.mmap(size, rw, privateAnonymous, -1, 0, mappings);
            // Reserved, not MAP_NORESERVE: without enough huge pages the mmap fails here with ENOMEM
            // instead of a SIGBUS (a JVM crash) at some later first touch.
            case HUGETLB_2M -> Libc.mmap(size, rw, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_HUGETLB | Libc.MAP_HUGE_2MB, -1, 0, mappings);
            case MEMFD -> mapMemfd(size, mappings);
            case FILE_PRIVATE -> throw new IllegalArgumentException("FILE_PRIVATE memory comes from a file: use GuestMemory.mapPrivate.");
        };
        if (host == null) {
            int errno = Libc.errno();
            String advice = backing == Backing.HUGETLB_2M && errno == Errno.ENOMEM.value()
                    ? "Not enough free 2 MiB huge pages: reserve them with 'echo N > /proc/sys/vm/nr_hugepages'" : null;
            throw new KvmException("mmap(" + backing + ")", errno, "size=0x" + Long.toHexString(size), advice);
        }
        // Where the kernel has no THP at all, 4 KiB pages are what ANONYMOUS asks for anyway.
        if (backing == Backing.ANONYMOUS && Libc.madvise(host, Libc.MADV_NOHUGEPAGE) != 0 && Libc.errno() != Errno.EINVAL.value()) {
            throw new KvmException("madvise(MADV_NOHUGEPAGE)", Libc.errno(), "size=0x" + Long.toHexString(size), null);
        }
        if (backing == Backing.TRANSPARENT_HUGE_PAGES && Libc.madvise(host, Libc.MADV_HUGEPAGE) != 0) {
            throw new KvmException("madvise(MADV_HUGEPAGE)", Libc.errno(), "size=0x" + Long.toHexString(size),
                    "Transparent huge pages are disabled in this kernel (/sys/kernel/mm/transparent_hugepage)");
        }
        return host;
    }

    /**
     * {@return guest memory whose regions are private copy-on-write mappings of {@code file}} The
     * file holds the ranges one after another in guest address order, each at the sum of the sizes
     * before it, and is exactly as long as all of them: a snapshot's memory file.
     *
     * @param file the memory file, opened read-only; it is not written, and may be removed after
     * @param ranges the regions, at least one; they must not overlap
     * @throws IllegalArgumentException when there is no range, two overlap, or the file's size is not
     *     the ranges' total (a shorter file would fault the guest, and this JVM, at its first read past the end)
     * @throws KvmException when the file cannot be opened or mapped
     */
    public static GuestMemory mapPrivate(java.nio.file.Path file, List<Range> ranges) {
        NativeAccess.require();
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("Guest memory needs at least one range.");
        }
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing(Range::start));
        long total = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i > 0 && sorted.get(i).start().compareTo(sorted.get(i - 1).end()) < 0) {
                throw new IllegalArgumentException("Guest memory ranges " + sorted.get(i - 1) + " and " + sorted.get(i) + " overlap.");
            }
            total += sorted.get(i).size();
        }
        int raw = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (raw < 0) {
            throw new KvmException("open(" + file + ")", Libc.errno(), "");
        }
        Arena mappings = Arena.ofShared();
        List<MemorySegment> hosts = new ArrayList<>();
        // The mappings keep the file's pages alive; the fd is not needed after mmap.
        try (FileDescriptor fd = new FileDescriptor(file.toString(), raw)) {
            long size = java.nio.file.Files.size(file);
            if (size != total) {
                throw new IllegalArgumentException("Memory file " + file + " is " + size + " bytes, but the ranges " + sorted
                        + " need exactly " + total + ".");
            }
            long offset = 0;
            for (Range range : sorted) {
                // MAP_PRIVATE with PROT_WRITE on a read-only fd: writes go to private copies, never the file.
                MemorySegment host = Libc.mmap(range.size(), Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_NORESERVE,
                        raw, offset, mappings);
                if (host == null) {
                    throw new KvmException("mmap(FILE_PRIVATE)", Libc.errno(), "file=" + file + " offset=0x" + Long.toHexString(offset)
                            + " size=0x" + Long.toHexString(range.size()));
                }
                hosts.add(host);
                offset += range.size();
            }
        } catch (IOException e) {
            mappings.close();
            throw new KvmException("stat(" + file + ")", Errno.EIO.value(), e.getMessage());
        } catch (RuntimeException e) {
            mappings.close();
            throw e;
        }
        return new GuestMemory(mappings, Backing.FILE_PRIVATE, sorted, hosts);
    }

    private static MemorySegment mapMemfd(long size, Arena mappings) {
        int memfd = Libc.memfdCreate("vmm-guest-memory", Libc.MFD_CLOEXEC);
        if (memfd < 0) {
            throw new KvmException("memfd_create", Libc.errno(), "");
        }
        // The mapping keeps the memory alive; the fd is not needed after mmap.
        try (FileDescriptor fd = new FileDescriptor("memfd", memfd)) {
            if (Libc.ftruncate(memfd, size) != 0) {
                throw new KvmException("ftruncate(memfd)", Libc.errno(), "size=0x" + Long.toHexString(size));
            }
            MemorySegment host = Libc.mmap(size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_NORESERVE, memfd, 0, mappings);
            if (host == null) {
                throw new KvmException("mmap(MEMFD)", Libc.errno(), "size=0x" + Long.toHexString(size));
            }
            return host;
        }
    }

    /**
     * A range of guest physical memory: page-aligned start and a positive page-multiple size.
     *
     * @param start the first guest physical address, 4 KiB aligned
     * @param size the size in bytes, a positive multiple of 4 KiB
     */
    public record Range(GuestAddress start, long size) {
        /**
         * Checks the range.
         *
         * @throws IllegalArgumentException when it is not page-aligned, is empty, or wraps around 2^64
         */
        public Range {
            if ((start.value() & (PAGE_SIZE - 1)) != 0) {
                throw new IllegalArgumentException("Guest memory start " + start + " is not 4 KiB aligned: use a multiple of 0x1000.");
            }
            if (size <= 0 || (size & (PAGE_SIZE - 1)) != 0) {
                throw new IllegalArgumentException("Guest memory size " + size + " is not a positive multiple of 4096 bytes.");
            }
            start.plus(size); // rejects ranges that wrap around
        }

        /** {@return the first guest physical address after the range} */
        public GuestAddress end() {
            return start.plus(size);
        }

        @Override
        public String toString() {
            return "[" + start + ", " + end() + ")";
        }
    }

    /** {@return the backing every region has} */
    public Backing backing() {
        return backing;
    }

    /** {@return the regions, ordered by guest address} */
    public List<MemoryRegion> regions() {
        checkOpen();
        return regions;
    }

    /** {@return the total bytes over all regions} */
    public long size() {
        return regions.stream().mapToLong(MemoryRegion::size).sum();
    }

    /**
     * The guest pages of this memory in the process's page tables, as ranges in address order,
     * adjacent pages merged.
     *
     * @param present every page there: touched by this process, or by KVM for the guest; over
     *     {@link Backing#FILE_PRIVATE} memory the kernel also maps, on a read fault, neighbours
     *     already in the page cache (fault-around, 64 KiB by default)
     * @param privateCopies those of them that are private anonymous pages: over FILE_PRIVATE
     *     memory, the pages written (the others map the file's page cache); over anonymous memory,
     *     every page that is there
     */
    public record ResidentPages(List<Range> present, List<Range> privateCopies) {
        /** Copies the lists. */
        public ResidentPages {
            present = List.copyOf(present);
            privateCopies = List.copyOf(privateCopies);
        }
    }

    /**
     * {@return the guest pages of this memory in this process's page tables, from /proc/self/pagemap}
     *
     * @throws KvmException when /proc/self/pagemap cannot be read
     */
    public synchronized ResidentPages residentPages() {
        checkOpen();
        List<Range> present = new ArrayList<>();
        List<Range> privateCopies = new ArrayList<>();
        for (MemoryRegion region : regions) {
            PageMap.Pages pages;
            try {
                pages = PageMap.read(region.host());
            } catch (IOException e) {
                throw new KvmException("read(/proc/self/pagemap)", Errno.EIO.value(), e.getMessage());
            }
            addRuns(region.start(), pages.present(), present);
            addRuns(region.start(), pages.privateCopies(), privateCopies);
        }
        return new ResidentPages(present, privateCopies);
    }

    /** Adds each run of set bits, one bit per page from {@code start}, to {@code ranges}. */
    private static void addRuns(GuestAddress start, BitSet pages, List<Range> ranges) {
        for (int first = pages.nextSetBit(0); first >= 0; ) {
            int end = pages.nextClearBit(first);
            ranges.add(new Range(start.plus(first * PAGE_SIZE), (end - first) * PAGE_SIZE));
            first = pages.nextSetBit(end);
        }
    }

    /**
     * Copies {@code data} to guest memory at {@code address}.
     *
     * @param address the guest physical address of the first byte
     * @param data the bytes
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public void write(GuestAddress address, byte[] data) {
        MemorySegment.copy(data, 0, hostSlice(address, data.length), ValueLayout.JAVA_BYTE, 0, data.length);
    }

    /**
     * Copies the remaining bytes of {@code data} to guest memory at {@code address}, and moves its
     * position past them.
     *
     * @param address the guest physical address of the first byte
     * @param data the bytes, from its position to its limit
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public void write(GuestAddress address, ByteBuffer data) {
        int length = data.remaining();
        hostSlice(address, length).copyFrom(MemorySegment.ofBuffer(data));
        data.position(data.position() + length);
    }

    /**
     * Copies up to {@code length} bytes of {@code file}, from {@code position}, to guest memory at
     * {@code address}: read straight into the mapping, at most 1 MiB per read, with no copy on the
     * Java heap. The whole range must lie in one region.
     *
     * @param address the guest physical address of the first byte
     * @param file the file to read
     * @param position where in the file to start
     * @param length the most bytes to copy
     * @return the bytes copied, fewer than {@code length} only when the file ended first
     * @throws IllegalArgumentException when the range is not inside one region
     * @throws IOException when reading the file fails
     */
    public long write(GuestAddress address, FileChannel file, long position, long length) throws IOException {
        MemorySegment target = hostSlice(address, length);
        long done = 0;
        while (done < length) {
            ByteBuffer chunk = target.asSlice(done, Math.min(FILE_CHUNK, length - done)).asByteBuffer();
            while (chunk.hasRemaining()) {
                if (file.read(chunk, position + done + chunk.position()) <= 0) {
                    return done + chunk.position();
                }
            }
            done += chunk.capacity();
        }
        return done;
    }

    /**
     * Copies {@code length} bytes of guest memory at {@code address} to {@code file} at
     * {@code position}: written straight from the mapping, at most 1 MiB per write, with no copy on
     * the Java heap. The whole range must lie in one region; the file grows if it ends before.
     *
     * @param address the guest physical address of the first byte
     * @param length the bytes to copy
     * @param file the file to write
     * @param position where in the file to write them
     * @throws IllegalArgumentException when the range is not inside one region
     * @throws IOException when writing the file fails
     */
    public void read(GuestAddress address, long length, FileChannel file, long position) throws IOException {
        MemorySegment source = hostSlice(address, length);
        for (long done = 0; done < length; ) {
            ByteBuffer chunk = source.asSlice(done, Math.min(FILE_CHUNK, length - done)).asByteBuffer();
            while (chunk.hasRemaining()) {
                file.write(chunk, position + done + chunk.position());
            }
            done += chunk.capacity();
        }
    }

    /**
     * Sets {@code length} bytes of guest memory at {@code address} to {@code value}, as memset(3) would.
     *
     * @param address the guest physical address of the first byte
     * @param length the bytes to set
     * @param value the byte to store
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public void fill(GuestAddress address, long length, byte value) {
        hostSlice(address, length).fill(value);
    }

    /**
     * {@return a copy of {@code length} bytes of guest memory at {@code address}}
     *
     * @param address the guest physical address of the first byte
     * @param length the bytes to read
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public byte[] read(GuestAddress address, int length) {
        return hostSlice(address, length).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Copies guest memory at {@code address} into the remaining bytes of {@code into}, and moves
     * its position past them: {@link #read(GuestAddress, int)} without a new array each time.
     *
     * @param address the guest physical address of the first byte
     * @param into receives as many bytes as it has remaining
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public void read(GuestAddress address, ByteBuffer into) {
        int length = into.remaining();
        MemorySegment.ofBuffer(into).copyFrom(hostSlice(address, length));
        into.position(into.position() + length);
    }

    /**
     * {@return whether {@code [address, address + length)} lies inside one region, so that reads and
     * writes of it succeed}
     *
     * @param address the range's first guest physical address
     * @param length its length in bytes
     */
    public boolean contains(GuestAddress address, long length) {
        for (MemoryRegion region : regions()) {
            if (region.contains(address, length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return the little-endian 16-bit value at {@code address}, 0 to 65535} At an even address it
     * is one load, so a value that another thread stores there at once (a vCPU updating a ring index)
     * is never seen half written.
     *
     * @param address the guest physical address of its first byte
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public int readU16(GuestAddress address) {
        return Short.toUnsignedInt(hostSlice(address, 2).get((address.value() & 1) == 0 ? U16 : U16_UNALIGNED, 0));
    }

    /**
     * Stores the low 16 bits of {@code value} little-endian at {@code address}; one store at an even address.
     *
     * @param address the guest physical address of its first byte
     * @param value the value, whose high bits are ignored
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public void writeU16(GuestAddress address, int value) {
        hostSlice(address, 2).set((address.value() & 1) == 0 ? U16 : U16_UNALIGNED, 0, (short) value);
    }

    /**
     * {@return the little-endian 32-bit value at {@code address}, 0 to 2^32 - 1} One load at a multiple of 4.
     *
     * @param address the guest physical address of its first byte
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public long readU32(GuestAddress address) {
        return Integer.toUnsignedLong(hostSlice(address, 4).get((address.value() & 3) == 0 ? U32 : U32_UNALIGNED, 0));
    }

    /**
     * Stores {@code value} little-endian at {@code address}; one store at a multiple of 4.
     *
     * @param address the guest physical address of its first byte
     * @param value the 32 bits to store
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public void writeU32(GuestAddress address, int value) {
        hostSlice(address, 4).set((address.value() & 3) == 0 ? U32 : U32_UNALIGNED, 0, value);
    }

    /**
     * {@return the little-endian 64-bit value at {@code address}, as a long of the same bits}
     *
     * @param address the guest physical address of its first byte
     * @throws IllegalArgumentException when the range is not inside one region
     */
    public long readU64(GuestAddress address) {
        return hostSlice(address, 8).get(U64_UNALIGNED, 0);
    }

    /**
     * Host-side populate: allocates and maps every host page of the regions that meet
     * {@code [start, start + length)}, as a write would (MADV_POPULATE_WRITE, Linux 5.14+; touching
     * each page where the kernel lacks it). Builds host page tables only: KVM's stage-2 tables stay
     * empty, see {@link dev.vmm.core.prefault.PreFaulter}. Holes are skipped.
     *
     * @param start the first guest physical address of the range
     * @param length the range's length in bytes
     * @param threads how many threads share the work, in chunks of 64 MiB
     * @param progress receives the bytes completed by each chunk, from the working threads
     * @return the bytes populated
     * @throws IllegalArgumentException when {@code threads} is not positive or the range reaches 2^63
     * @throws KvmException when the kernel cannot populate a chunk, e.g. ENOMEM
     * @throws IllegalStateException when the memory is closed, or is closed meanwhile (populate then
     *     stops after the chunks in progress)
     */
    public long populate(GuestAddress start, long length, int threads, LongConsumer progress) {
        return populate(start, length, threads, progress, () -> false);
    }

    /**
     * {@link #populate(GuestAddress, long, int, LongConsumer)} that stops early once {@code stop}
     * says so: each thread asks before each 64 MiB chunk, so the work ends within one chunk per thread.
     *
     * @param start the first guest physical address of the range
     * @param length the range's length in bytes
     * @param threads how many threads share the work
     * @param progress receives the bytes completed by each chunk, from the working threads
     * @param stop true once the work should stop
     * @return the bytes populated, less than asked for when stopped
     * @throws IllegalArgumentException when {@code threads} is not positive or the range reaches 2^63
     * @throws KvmException when the kernel cannot populate a chunk
     * @throws IllegalStateException when the memory is closed, or is closed meanwhile
     */
    public long populate(GuestAddress start, long length, int threads, LongConsumer progress, BooleanSupplier stop) {
        if (threads < 1) {
            throw new IllegalArgumentException("Populate needs at least one thread, not " + threads + ".");
        }
        if (length < 0 || start.value() < 0 || start.value() + length < start.value()) {
            throw new IllegalArgumentException("Populate range " + start + " + 0x" + Long.toHexString(length) + " is not below 2^63.");
        }
        ConcurrentLinkedQueue<MemorySegment> chunks = new ConcurrentLinkedQueue<>();
        long end = start.value() + length;
        for (MemoryRegion region : regions()) {
            long from = Math.max(0, start.value() - region.start().value());
            long to = Math.min(region.size(), end - region.start().value());
            for (long offset = from; offset < to; offset += POPULATE_CHUNK) {
                chunks.add(region.host().asSlice(offset, Math.min(POPULATE_CHUNK, to - offset)));
            }
        }
        AtomicLong done = new AtomicLong();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable worker = () -> {
            for (MemorySegment chunk; failure.get() == null && !stop.getAsBoolean() && (chunk = chunks.poll()) != null; ) {
                // Each chunk is one call in flight: close() waits for it rather than unmap under it.
                if (!populating.enter()) {
                    failure.compareAndSet(null, new IllegalStateException("The guest memory was closed while it was being populated."));
                    return;
                }
                try {
                    populate(chunk);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    return;
                } finally {
                    populating.leave();
                }
                done.addAndGet(chunk.byteSize());
                progress.accept(chunk.byteSize());
            }
        };
        List<Thread> workers = new ArrayList<>();
        for (int i = 1; i < Math.min(threads, chunks.size()); i++) {
            workers.add(Thread.ofPlatform().name("vmm-populate-" + i).start(worker));
        }
        worker.run();
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, new IllegalStateException("Interrupted while populating guest memory."));
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return done.get();
    }

    private static volatile boolean populateWriteMissing;

    private static void populate(MemorySegment chunk) {
        while (!populateWriteMissing) {
            if (Libc.madvise(chunk, Libc.MADV_POPULATE_WRITE) == 0) {
                return;
            }
            int errno = Libc.errno();
            if (errno == Errno.EINVAL.value()) {
                populateWriteMissing = true; // kernel before 5.14
            } else if (errno != Errno.EINTR.value() && errno != Errno.EAGAIN.value()) {
                throw new KvmException("madvise(MADV_POPULATE_WRITE)", errno, "size=0x" + Long.toHexString(chunk.byteSize()));
            }
        }
        for (long offset = 0; offset < chunk.byteSize(); offset += PAGE_SIZE) {
            chunk.set(ValueLayout.JAVA_BYTE, offset, chunk.get(ValueLayout.JAVA_BYTE, offset));
        }
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

    /** Called by {@link Vm} before it gives a region of this memory to KVM. */
    synchronized void mappedInto(Vm vm) {
        checkOpen();
        if (!populating.isOpen()) {
            throw new IllegalStateException("This guest memory is closed; create a new one.");
        }
        mappedBy.add(vm);
    }

    /** Called by {@link Vm} once KVM no longer maps any region of this memory for it (slots deleted, VM closed). */
    synchronized void unmappedFrom(Vm vm) {
        mappedBy.remove(vm);
    }

    /**
     * Unmaps every region; later accesses fail with IllegalStateException. A populate in progress
     * stops after its current chunks, and close waits for them.
     *
     * @throws IllegalStateException while an open {@link Vm} maps this memory: KVM keeps using the
     *     host addresses of its slots, and a guest would read and write whatever the process maps
     *     there next. Close the VM first (that closes its vCPUs too).
     */
    @Override
    public synchronized void close() {
        if (!mappedBy.isEmpty()) {
            throw new IllegalStateException("This guest memory is mapped into an open VM: close the Vm first (it closes its vCPUs), then the memory.");
        }
        populating.closeAndAwait(() -> { });
        if (mappings.scope().isAlive()) {
            mappings.close();
        }
    }
}
