// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.libc;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Which pages of a mapping this process's page tables hold, from {@code /proc/self/pagemap}: one
 * u64 per 4 KiB virtual page, bit 63 "present in RAM", bit 61 "a file page or shared anonymous
 * memory". Readable without privileges (only the page frame numbers are hidden). A page the
 * process, or KVM on its behalf, has touched is present; one never touched is not. In a private
 * file mapping, a page only read maps the file's page-cache page (bit 61 set), and a page written
 * is the process's own copy (bit 61 clear).
 */
public final class PageMap {
    private static final Path FILE = Path.of("/proc/self/pagemap");
    private static final long PAGE = 4096;
    private static final long PRESENT = 1L << 63;
    private static final long FILE_OR_SHARED = 1L << 61;
    /** Entries read per call: 4 MiB of pagemap covers 2 GiB of mapping. */
    private static final int BATCH = 512 * 1024;

    private PageMap() {}

    /**
     * The pages of one mapping, bit {@code i} for the page at byte offset {@code i * 4096}.
     *
     * @param present the pages in this process's page tables
     * @param privateCopies those of them that are private anonymous pages: in a private file
     *     mapping, the pages written
     */
    public record Pages(BitSet present, BitSet privateCopies) {}

    /**
     * {@return which pages of {@code mapping} this process's page tables hold, and which of those
     * are private copies}
     *
     * @param mapping a page-aligned mapping of this process
     * @throws IOException when /proc/self/pagemap cannot be read
     */
    public static Pages read(MemorySegment mapping) throws IOException {
        if (mapping.address() % PAGE != 0 || mapping.byteSize() % PAGE != 0) {
            throw new IllegalArgumentException("A page map is read for whole pages, not " + mapping);
        }
        long pages = mapping.byteSize() / PAGE;
        if (pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("A mapping of " + pages + " pages is too large for one page map.");
        }
        BitSet present = new BitSet((int) pages);
        BitSet privateCopies = new BitSet((int) pages);
        ByteBuffer entries = ByteBuffer.allocateDirect((int) Math.min(pages, BATCH) * Long.BYTES).order(ByteOrder.nativeOrder());
        try (FileChannel pagemap = FileChannel.open(FILE)) {
            long first = mapping.address() / PAGE;
            for (long done = 0; done < pages; ) {
                entries.clear().limit((int) Math.min(pages - done, BATCH) * Long.BYTES);
                long position = (first + done) * Long.BYTES;
                while (entries.hasRemaining()) {
                    if (pagemap.read(entries, position + entries.position()) < 0) {
                        throw new IOException(FILE + " ended at page " + (done + entries.position() / Long.BYTES) + " of the mapping.");
                    }
                }
                entries.flip();
                for (int i = 0; entries.hasRemaining(); i++) {
                    long entry = entries.getLong();
                    if ((entry & PRESENT) != 0) {
                        present.set((int) (done + i));
                        if ((entry & FILE_OR_SHARED) == 0) {
                            privateCopies.set((int) (done + i));
                        }
                    }
                }
                done += entries.limit() / Long.BYTES;
            }
        }
        return new Pages(present, privateCopies);
    }
}
