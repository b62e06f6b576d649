// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Small synthetic kernel images with the fields the parser reads, for tests without a real kernel. */
public final class TestImages {
    static final long PREFERRED_ADDRESS = 0x1000000;
    static final int INIT_SIZE = 0x200000;

    private TestImages() {}

    /** A bzImage header with 4 setup sectors and {@code payload} bytes of protected-mode kernel. */
    static ByteBuffer bzImage(int payload) {
        return bzImage(4, payload);
    }

    /** A bzImage header with {@code setupSectors} (1 or more) and {@code payload} bytes of protected-mode kernel. */
    static ByteBuffer bzImage(int setupSectors, int payload) {
        ByteBuffer b = ByteBuffer.allocate((setupSectors + 1) * 512 + payload).order(ByteOrder.LITTLE_ENDIAN);
        b.put(LinuxKernel.SETUP_SECTS, (byte) setupSectors);
        b.putInt(LinuxKernel.SYSSIZE, payload / 16);
        b.putShort(LinuxKernel.BOOT_FLAG, (short) 0xaa55);
        b.put(0x200, (byte) 0xeb).put(0x201, (byte) 0x6a); // jmp over the header: it ends at 0x26c
        b.putInt(LinuxKernel.HEADER_MAGIC, LinuxKernel.HEADER_MAGIC_VALUE);
        b.putShort(LinuxKernel.VERSION, (short) 0x020f);
        b.put(LinuxKernel.LOADFLAGS, (byte) 0x01);
        b.putInt(LinuxKernel.INITRD_ADDR_MAX, 0x7fffffff);
        b.putShort(LinuxKernel.XLOADFLAGS, (short) 0x1);
        b.putInt(LinuxKernel.CMDLINE_SIZE, 2047);
        b.putLong(LinuxKernel.PREF_ADDRESS, PREFERRED_ADDRESS);
        b.putInt(LinuxKernel.INIT_SIZE, INIT_SIZE);
        for (int i = (setupSectors + 1) * 512; i < b.capacity(); i++) {
            b.put(i, (byte) i);
        }
        return b;
    }

    /** A program header: type (1 is PT_LOAD), file offset and size, physical address, memory size. */
    public record Phdr(int type, long offset, long fileSize, long paddr, long memSize) {}

    /**
     * An ELF64 x86-64 executable of {@code length} bytes (more if the headers need it) with these
     * program headers from offset 64, entry at {@code entry}; the bytes after the headers count up.
     */
    public static ByteBuffer elf(long entry, int length, java.util.List<Phdr> phdrs) {
        int headersEnd = 64 + 56 * phdrs.size();
        ByteBuffer b = ByteBuffer.allocate(Math.max(length, headersEnd)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1).put(6, (byte) 1);
        b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1);
        b.putLong(24, entry).putLong(32, 64).putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) phdrs.size());
        for (int i = 0; i < phdrs.size(); i++) {
            Phdr p = phdrs.get(i);
            int ph = 64 + 56 * i;
            b.putInt(ph, p.type()).putInt(ph + 4, 7).putLong(ph + 8, p.offset()).putLong(ph + 16, 0xffffffff80000000L + p.paddr())
                    .putLong(ph + 24, p.paddr()).putLong(ph + 32, p.fileSize()).putLong(ph + 40, p.memSize());
        }
        for (int i = headersEnd; i < b.capacity(); i++) {
            b.put(i, (byte) (i * 7));
        }
        return b;
    }

    /** An ELF64 x86-64 executable with one PT_LOAD of {@code fileSize} bytes at {@code paddr}, entry at {@code entry}. */
    static ByteBuffer elf(long paddr, int fileSize, long memSize, long entry) {
        return elf(entry, 0x1000 + fileSize, java.util.List.of(new Phdr(1, 0x1000, fileSize, paddr, memSize)));
    }
}
