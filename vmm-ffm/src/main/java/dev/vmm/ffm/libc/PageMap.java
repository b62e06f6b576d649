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
 * u64 per 4 KiB virtual page, bit 63 "present in RAM". Readable without privileges (only the
 * page frame numbers are hidden). A page the process, or KVM on its behalf, has touched is
 * present; one never touched is not.
 */
public final class PageMap {
    private static final Path FILE = Path.of("/proc/self/pagemap");
    private static final long PAGE = 4096;
    private static final long PRESENT = 1L << 63;
    /** Entries read per call: 4 MiB of pagemap covers 2 GiB of mapping. */
    private static final int BATCH = 512 * 1024;

    private PageMap() {}

    /**
     * {@return the pages of {@code mapping} present in this process's page tables, bit {@code i}
     * for the page at byte offset {@code i * 4096}}
     *
     * @param mapping a page-aligned mapping of this process
     * @throws IOException when /proc/self/pagemap cannot be read
     */
    public static BitSet present(MemorySegment mapping) throws IOException {
        if (mapping.address() % PAGE != 0 || mapping.byteSize() % PAGE != 0) {
            throw new IllegalArgumentException("A page map is read for whole pages, not " + mapping);
        }
        long pages = mapping.byteSize() / PAGE;
        if (pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("A mapping of " + pages + " pages is too large for one page map.");
        }
        BitSet present = new BitSet((int) pages);
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
                    if ((entries.getLong() & PRESENT) != 0) {
                        present.set((int) (done + i));
                    }
                }
                done += entries.limit() / Long.BYTES;
            }
        }
        return present;
    }
}
