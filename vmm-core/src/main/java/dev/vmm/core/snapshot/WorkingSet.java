// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The guest pages a restored VM touched in its first moments, and which of them it wrote, as
 * merged page ranges: recorded after one restore ({@link RestoredVm#workingSet()}), kept beside
 * the snapshot ({@link #write}), and given to later restores
 * ({@link RestoreOptions#preFault(dev.vmm.core.prefault.PreFaultPolicy, WorkingSet)}) so that they
 * pre-fault only what the guest will touch again, not all of its memory, and copy only what it
 * will write.
 *
 * <p>The {@value #FILE} file, format version 1, in the frame of the package's files (magic
 * {@code "VMMWSET\0"}, u32 version, u32 reserved 0, u64 body length, body, CRC32C). The body is two
 * lists, the touched pages then the written ones, each {@code u32 n}, then
 * {@code n x (u64 guest address, u64 size)}: page-aligned, positive, in increasing order, neither
 * overlapping nor adjacent (adjacent ranges are merged). The touched list has 1 to 1048576 ranges,
 * the written one 0 to 1048576, each inside a touched range.
 */
public final class WorkingSet {
    /** The file's name in a snapshot directory. */
    public static final String FILE = "workingset";
    static final int MAX_RANGES = 1 << 20;
    static final FramedFile FORMAT = new FramedFile("working set file", "VMMWSET\0", 1,
            FramedFile.HEADER_SIZE + 2 * (4 + 16L * MAX_RANGES) + FramedFile.TRAILER_SIZE);

    private final List<GuestMemory.Range> ranges;
    private final List<GuestMemory.Range> written;

    private WorkingSet(List<GuestMemory.Range> ranges, List<GuestMemory.Range> written) {
        this.ranges = List.copyOf(ranges);
        this.written = List.copyOf(written);
    }

    /**
     * {@return the working set of the pages in {@code touched} and {@code written}, each list
     * sorted with overlapping and adjacent ranges merged; the written pages count as touched}
     *
     * @param touched the pages the guest read or wrote, at least one range
     * @param written those it wrote, possibly none
     * @throws IllegalArgumentException when nothing was touched, or either list has more than 2^20
     *     ranges after merging
     */
    public static WorkingSet of(List<GuestMemory.Range> touched, List<GuestMemory.Range> written) {
        List<GuestMemory.Range> all = new ArrayList<>(touched);
        all.addAll(written);
        List<GuestMemory.Range> mergedTouched = merged(all);
        List<GuestMemory.Range> mergedWritten = merged(written);
        if (mergedTouched.isEmpty() || mergedTouched.size() > MAX_RANGES || mergedWritten.size() > MAX_RANGES) {
            throw new IllegalArgumentException("A working set holds 1 to " + MAX_RANGES + " touched ranges and at most as many written,"
                    + " not " + mergedTouched.size() + " and " + mergedWritten.size() + ": record it after a shorter run of the guest.");
        }
        return new WorkingSet(mergedTouched, mergedWritten);
    }

    private static List<GuestMemory.Range> merged(List<GuestMemory.Range> ranges) {
        List<GuestMemory.Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing(GuestMemory.Range::start));
        List<GuestMemory.Range> merged = new ArrayList<>();
        for (GuestMemory.Range range : sorted) {
            GuestMemory.Range last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && range.start().compareTo(last.end()) <= 0) {
                long end = Math.max(last.end().value(), range.end().value());
                merged.set(merged.size() - 1, new GuestMemory.Range(last.start(), end - last.start().value()));
            } else {
                merged.add(range);
            }
        }
        return merged;
    }

    /** {@return the pages the guest touched, read or written, in address order, neither overlapping nor adjacent} */
    public List<GuestMemory.Range> ranges() {
        return ranges;
    }

    /** {@return the pages the guest wrote, a part of {@link #ranges()}, in the same form} */
    public List<GuestMemory.Range> written() {
        return written;
    }

    /** {@return the bytes the guest touched} */
    public long bytes() {
        return bytes(ranges);
    }

    /** {@return the bytes the guest wrote} */
    public long writtenBytes() {
        return bytes(written);
    }

    private static long bytes(List<GuestMemory.Range> ranges) {
        return ranges.stream().mapToLong(GuestMemory.Range::size).sum();
    }

    /**
     * Writes this working set as the {@value #FILE} file of {@code snapshotDirectory}, whole or
     * not at all (written aside, then renamed over any earlier one).
     *
     * @param snapshotDirectory the snapshot's directory
     * @throws SnapshotException when the file cannot be written
     */
    public void write(Path snapshotDirectory) {
        Path temporary = snapshotDirectory.resolve(FILE + ".tmp");
        try {
            Files.write(temporary, encode());
            Files.move(temporary, snapshotDirectory.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SnapshotException("Cannot write the working set into " + snapshotDirectory + " (" + e.getMessage() + ").", e);
        }
    }

    /**
     * {@return the working set in {@code snapshotDirectory}'s {@value #FILE} file, checked}
     *
     * @param snapshotDirectory the snapshot's directory
     * @throws SnapshotException in one sentence, for a missing, foreign, truncated or corrupt file
     */
    public static WorkingSet read(Path snapshotDirectory) {
        Path path = snapshotDirectory.resolve(FILE);
        return decode(path.toString(), FORMAT.read(path, "record one with RestoredVm.workingSet() after a restore, and write it there."));
    }

    byte[] encode() {
        ByteBuffer body = ByteBuffer.allocate(8 + 16 * (ranges.size() + written.size())).order(ByteOrder.LITTLE_ENDIAN);
        for (List<GuestMemory.Range> list : List.of(ranges, written)) {
            body.putInt(list.size());
            for (GuestMemory.Range range : list) {
                body.putLong(range.start().value()).putLong(range.size());
            }
        }
        return FORMAT.frame(body.array());
    }

    /** Decodes a whole file; {@code name} says which in the messages. */
    static WorkingSet decode(String name, byte[] file) {
        ByteBuffer body = FORMAT.body(name, file);
        List<GuestMemory.Range> touched = ranges(name, body, "touched", 1);
        List<GuestMemory.Range> written = ranges(name, body, "written", 0);
        if (body.hasRemaining()) {
            throw corrupt(name, "it has " + body.remaining() + " bytes after its written ranges");
        }
        int t = 0;
        for (GuestMemory.Range range : written) {
            while (t < touched.size() && touched.get(t).end().compareTo(range.start()) <= 0) {
                t++;
            }
            if (t == touched.size() || touched.get(t).start().compareTo(range.start()) > 0 || touched.get(t).end().compareTo(range.end()) < 0) {
                throw corrupt(name, "its written range " + range + " is not inside one touched range");
            }
        }
        return new WorkingSet(touched, written);
    }

    /** One list: a count within its bounds and what is left, then that many checked ranges. */
    private static List<GuestMemory.Range> ranges(String name, ByteBuffer body, String what, int least) {
        if (body.remaining() < 4) {
            throw corrupt(name, "it ends before its " + what + " range count");
        }
        int count = body.getInt();
        if (count < least || count > MAX_RANGES) {
            throw corrupt(name, "it counts " + Integer.toUnsignedString(count) + " " + what + " ranges, not " + least + " to " + MAX_RANGES);
        }
        if (body.remaining() < 16L * count) {
            throw corrupt(name, "its " + count + " " + what + " ranges need " + 16L * count + " bytes, but only " + body.remaining() + " are left");
        }
        List<GuestMemory.Range> ranges = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long start = body.getLong();
            long size = body.getLong();
            if (start < 0 || size <= 0 || start % GuestMemory.PAGE_SIZE != 0 || size % GuestMemory.PAGE_SIZE != 0 || start + size < 0) {
                throw corrupt(name, what + " range " + i + " (0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(size)
                        + " bytes) is not whole pages below 2^63");
            }
            if (!ranges.isEmpty() && start <= ranges.getLast().end().value()) {
                throw corrupt(name, what + " range " + i + " at 0x" + Long.toHexString(start) + " does not come after the one before it");
            }
            ranges.add(new GuestMemory.Range(GuestAddress.of(start), size));
        }
        return ranges;
    }

    /**
     * Checks that every range lies within {@code memory}'s ranges (the snapshot's).
     *
     * @throws SnapshotException when one does not: the set belongs to another snapshot
     */
    void checkWithin(List<GuestMemory.Range> memory) {
        for (GuestMemory.Range range : ranges) {
            boolean inside = memory.stream().anyMatch(m -> m.start().compareTo(range.start()) <= 0 && range.end().compareTo(m.end()) <= 0);
            if (!inside) {
                throw new SnapshotException("The working set's range " + range + " lies outside the snapshot's memory " + memory
                        + ": it was recorded for another snapshot; record it again.");
            }
        }
    }

    private static SnapshotException corrupt(String name, String what) {
        return new SnapshotException(name + " is corrupt: " + what + ".");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkingSet other && ranges.equals(other.ranges) && written.equals(other.written);
    }

    @Override
    public int hashCode() {
        return 31 * ranges.hashCode() + written.hashCode();
    }

    @Override
    public String toString() {
        return "WorkingSet[" + ranges.size() + " ranges, " + (bytes() >> 10) + " KiB touched, " + (writtenBytes() >> 10) + " KiB written]";
    }
}
