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
 * The guest pages a restored VM touched in its first moments, as merged page ranges: recorded
 * after one restore ({@link RestoredVm#workingSet()}), kept beside the snapshot ({@link #write}),
 * and given to later restores ({@link RestoreOptions#preFault(dev.vmm.core.prefault.PreFaultPolicy, WorkingSet)})
 * so that they pre-fault only what the guest will touch again, not all of its memory.
 *
 * <p>The {@value #FILE} file, format version 1, in the frame of the package's files (magic
 * {@code "VMMWSET\0"}, u32 version, u32 reserved 0, u64 body length, body, CRC32C); the body is
 * {@code u32 n (1..1048576)}, then {@code n x (u64 guest address, u64 size)}: page-aligned,
 * positive, in increasing order, neither overlapping nor touching (adjacent ranges are merged).
 */
public final class WorkingSet {
    /** The file's name in a snapshot directory. */
    public static final String FILE = "workingset";
    static final int MAX_RANGES = 1 << 20;
    static final FramedFile FORMAT = new FramedFile("working set file", "VMMWSET\0", 1,
            FramedFile.HEADER_SIZE + 4 + 16L * MAX_RANGES + FramedFile.TRAILER_SIZE);

    private final List<GuestMemory.Range> ranges;
    private final long bytes;

    private WorkingSet(List<GuestMemory.Range> ranges) {
        this.ranges = List.copyOf(ranges);
        this.bytes = ranges.stream().mapToLong(GuestMemory.Range::size).sum();
    }

    /**
     * {@return the working set of {@code ranges}, sorted, with overlapping and adjacent ranges merged}
     *
     * @param ranges page ranges, at least one
     * @throws IllegalArgumentException when there is none, or more than 2^20 after merging
     */
    public static WorkingSet of(List<GuestMemory.Range> ranges) {
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
        if (merged.isEmpty() || merged.size() > MAX_RANGES) {
            throw new IllegalArgumentException("A working set holds 1 to " + MAX_RANGES + " ranges, not " + merged.size() + ".");
        }
        return new WorkingSet(merged);
    }

    /** {@return the ranges, in address order, neither overlapping nor adjacent} */
    public List<GuestMemory.Range> ranges() {
        return ranges;
    }

    /** {@return the bytes the ranges cover} */
    public long bytes() {
        return bytes;
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
        ByteBuffer body = ByteBuffer.allocate(4 + 16 * ranges.size()).order(ByteOrder.LITTLE_ENDIAN).putInt(ranges.size());
        for (GuestMemory.Range range : ranges) {
            body.putLong(range.start().value()).putLong(range.size());
        }
        return FORMAT.frame(body.array());
    }

    /** Decodes a whole file; {@code name} says which in the messages. */
    static WorkingSet decode(String name, byte[] file) {
        ByteBuffer body = FORMAT.body(name, file);
        if (body.remaining() < 4) {
            throw corrupt(name, "it ends before its range count");
        }
        int count = body.getInt();
        if (count < 1 || count > MAX_RANGES) {
            throw corrupt(name, "it counts " + Integer.toUnsignedString(count) + " ranges, not 1 to " + MAX_RANGES);
        }
        if (body.remaining() != 16L * count) {
            throw corrupt(name, "its " + count + " ranges need " + 16L * count + " bytes, but its body holds " + body.remaining() + " after the count");
        }
        List<GuestMemory.Range> ranges = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long start = body.getLong();
            long size = body.getLong();
            if (start < 0 || size <= 0 || start % GuestMemory.PAGE_SIZE != 0 || size % GuestMemory.PAGE_SIZE != 0 || start + size < 0) {
                throw corrupt(name, "range " + i + " (0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(size)
                        + " bytes) is not whole pages below 2^63");
            }
            if (!ranges.isEmpty() && start <= ranges.getLast().end().value()) {
                throw corrupt(name, "range " + i + " at 0x" + Long.toHexString(start) + " does not come after the one before it");
            }
            ranges.add(new GuestMemory.Range(GuestAddress.of(start), size));
        }
        return new WorkingSet(ranges);
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
        return o instanceof WorkingSet other && ranges.equals(other.ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    @Override
    public String toString() {
        return "WorkingSet[" + ranges.size() + " ranges, " + (bytes >> 10) + " KiB]";
    }
}
