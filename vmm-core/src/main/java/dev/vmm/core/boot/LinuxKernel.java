// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.GuestAddress;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A Linux x86-64 kernel image, checked and taken apart: a bzImage (boot protocol 2.12 or later,
 * with a 64-bit entry point) or an uncompressed ELF vmlinux. Only the headers are read here; every
 * field is checked, with arithmetic that cannot overflow, against the image's size and the 32-bit
 * addresses of the boot protocol, so that a truncated, foreign or hostile file fails here with one
 * sentence. The loadable parts are described by {@link LoadSegment}s and copied from the image
 * into guest memory only when {@link LinuxBoot#load} runs.
 *
 * <p>The offsets are those of Documentation/arch/x86/boot.rst.
 */
public final class LinuxKernel {
    /** Which kind of image. */
    public enum Format {
        /** A bzImage: setup sectors, then the compressed kernel that decompresses itself. */
        BZIMAGE,
        /** An uncompressed ELF vmlinux, loaded by its program headers. */
        ELF_VMLINUX
    }

    /**
     * The image's {@code fileSize} bytes from {@code fileOffset} go to {@code address}, then zeros up to {@code memorySize}.
     *
     * @param fileOffset where the bytes start in the image
     * @param fileSize how many bytes come from the image
     * @param address the guest physical address they go to
     * @param memorySize the bytes the segment takes in memory, at least {@code fileSize}
     */
    public record LoadSegment(long fileOffset, long fileSize, GuestAddress address, long memorySize) {}

    // Setup header fields (offsets into the bzImage file, and into boot_params).
    static final int SETUP_SECTS = 0x1f1;
    static final int SYSSIZE = 0x1f4;
    static final int BOOT_FLAG = 0x1fe;
    static final int HEADER_MAGIC = 0x202;
    static final int VERSION = 0x206;
    static final int LOADFLAGS = 0x211;
    static final int INITRD_ADDR_MAX = 0x22c;
    static final int KERNEL_ALIGNMENT = 0x230;
    static final int XLOADFLAGS = 0x236;
    static final int CMDLINE_SIZE = 0x238;
    static final int PREF_ADDRESS = 0x258;
    static final int INIT_SIZE = 0x260;
    static final int HEADER_MAGIC_VALUE = 0x53726448; // "HdrS"
    /** Where boot_params' setup header ends (struct setup_header); what follows is the loader's to fill. */
    private static final int SETUP_HEADER_END = 0x290;
    private static final int MIN_PROTOCOL = 0x020c;
    private static final int LOADED_HIGH = 0x01;
    private static final int XLF_KERNEL_64 = 0x01;
    /** Where the 64-bit entry point sits in the protected-mode part of a bzImage. */
    private static final long STARTUP_64_OFFSET = 0x200;
    /** Linux's default CONFIG_PHYSICAL_START, used when the header gives no preferred address. */
    static final long DEFAULT_LOAD_ADDRESS = 0x1000000;
    /** The boot protocol's addresses are 32-bit: a kernel must lie below 4 GiB. */
    private static final long FOUR_GIB = 1L << 32;
    /** What the parser reads of a file to tell its format and read a bzImage's header. */
    private static final int HEAD_SIZE = 4096;
    private static final int ELF_HEADER_SIZE = 64;
    private static final int ELF_PT_LOAD = 1;
    private static final int ELF_MACHINE_X86_64 = 62;
    private static final int ELF_PHDR_SIZE = 56;
    /** Linux's own ELF loader takes at most 64 KiB of program headers; a vmlinux has a handful. */
    private static final int ELF_MAX_PHDRS = 65536 / ELF_PHDR_SIZE;

    private final BootImage image;
    private final Format format;
    private final int protocol;
    private final byte[] setupHeader;
    private final List<LoadSegment> segments;
    private final GuestAddress entry;
    private final GuestAddress loadStart;
    private final long initSize;
    private final long initrdAddressMax;
    private final int maxCommandLine;

    private LinuxKernel(BootImage image, Format format, int protocol, byte[] setupHeader, List<LoadSegment> segments,
                        GuestAddress entry, GuestAddress loadStart, long initSize, long initrdAddressMax, int maxCommandLine) {
        this.image = image;
        this.format = format;
        this.protocol = protocol;
        this.setupHeader = setupHeader;
        this.segments = List.copyOf(segments);
        this.entry = entry;
        this.loadStart = loadStart;
        this.initSize = initSize;
        this.initrdAddressMax = initrdAddressMax;
        this.maxCommandLine = maxCommandLine;
    }

    /**
     * Checks the file at {@code path} and reads its headers; the rest is read at load time.
     *
     * @param path a bzImage or an ELF vmlinux
     * @return the kernel, its headers checked
     * @throws BootException when the file is not a bootable x86-64 kernel, saying why
     */
    public static LinuxKernel read(Path path) {
        return parse(BootImage.file(path, "Kernel image", "a bzImage or an ELF vmlinux"));
    }

    /**
     * Checks and takes apart {@code image}, held in memory; {@code name} only appears in error messages.
     *
     * @param name what error messages call the image
     * @param image the image's bytes
     * @return the kernel, its headers checked
     * @throws BootException when the image is not a bootable x86-64 kernel, saying why
     */
    public static LinuxKernel parse(String name, byte[] image) {
        return parse(BootImage.of(name, image));
    }

    private static LinuxKernel parse(BootImage image) {
        try (BootImage.Reader reader = image.open()) {
            ByteBuffer head = ByteBuffer.wrap(reader.read(0, (int) Math.min(image.size(), HEAD_SIZE))).order(ByteOrder.LITTLE_ENDIAN);
            if (head.capacity() >= 4 && head.getInt(0) == 0x464c457f) { // "\x7fELF"
                return parseElf(image, reader, head);
            }
            if (head.capacity() >= HEADER_MAGIC + 4 && head.getInt(HEADER_MAGIC) == HEADER_MAGIC_VALUE) {
                return parseBzImage(image, head);
            }
        }
        throw new BootException("Kernel image " + image.name() + " is neither a bzImage nor an ELF vmlinux (no 'HdrS' setup header, no ELF magic):"
                + " give an x86-64 Linux kernel such as /boot/vmlinuz-*.");
    }

    private static LinuxKernel parseBzImage(BootImage image, ByteBuffer b) {
        String name = image.name();
        long length = image.size();
        if (b.capacity() < INIT_SIZE + 4) {
            throw truncated(name, "its setup header ends early");
        }
        int protocol = Short.toUnsignedInt(b.getShort(VERSION));
        if (protocol < MIN_PROTOCOL) {
            throw new BootException("Kernel image " + name + " speaks boot protocol " + protocolString(protocol)
                    + ", but a 64-bit entry needs 2.12 or later (Linux 3.8+): use a newer kernel.");
        }
        if ((Short.toUnsignedInt(b.getShort(XLOADFLAGS)) & XLF_KERNEL_64) == 0 || (b.get(LOADFLAGS) & LOADED_HIGH) == 0) {
            throw new BootException("Kernel image " + name + " has no 64-bit entry point (XLF_KERNEL_64 unset): give an x86-64 kernel.");
        }
        if (Short.toUnsignedInt(b.getShort(BOOT_FLAG)) != 0xaa55) {
            throw new BootException("Kernel image " + name + " has a setup header but no 0xAA55 boot flag: the file is damaged.");
        }
        int setupSectors = Byte.toUnsignedInt(b.get(SETUP_SECTS));
        if (setupSectors == 0) {
            setupSectors = 4; // the boot protocol's rule for very old images
        }
        long kernelOffset = (setupSectors + 1L) * 512; // at most 128 KiB
        long payload = Integer.toUnsignedLong(b.getInt(SYSSIZE)) * 16; // at most 64 GiB: no overflow below
        if (kernelOffset + payload > length || kernelOffset >= length) {
            throw truncated(name, "the header announces " + (kernelOffset + Math.max(payload, 1)) + " bytes but the file has " + length);
        }
        // The setup header runs from 0x1f1 to the end of the jump at 0x200, whose target says how long it is.
        int headerEnd = 0x202 + Byte.toUnsignedInt(b.get(0x201));
        if (headerEnd < INIT_SIZE + 4) {
            throw truncated(name, "its setup header is cut off");
        }
        byte[] setupHeader = Arrays.copyOfRange(b.array(), SETUP_SECTS, Math.min(headerEnd, SETUP_HEADER_END));
        long preferred = b.getLong(PREF_ADDRESS);
        long load = preferred != 0 ? preferred : DEFAULT_LOAD_ADDRESS;
        if (Long.compareUnsigned(load, FOUR_GIB) >= 0) {
            throw new BootException("Kernel image " + name + " asks to be loaded at 0x" + Long.toHexString(load)
                    + " (pref_address), beyond 4 GiB: give a kernel built for a low physical address.");
        }
        long kernelSize = length - kernelOffset;
        long initSize = Math.max(Integer.toUnsignedLong(b.getInt(INIT_SIZE)), kernelSize); // below 4 GiB, like load
        long initrdMax = Integer.toUnsignedLong(b.getInt(INITRD_ADDR_MAX));
        int cmdlineSize = (int) Math.min(Integer.toUnsignedLong(b.getInt(CMDLINE_SIZE)), Integer.MAX_VALUE);
        LoadSegment kernel = new LoadSegment(kernelOffset, kernelSize, GuestAddress.of(load), kernelSize);
        return new LinuxKernel(image, Format.BZIMAGE, protocol, setupHeader, List.of(kernel), GuestAddress.of(load + STARTUP_64_OFFSET),
                GuestAddress.of(load), initSize, initrdMax == 0 ? 0x37ffffffL : initrdMax, cmdlineSize);
    }

    private static LinuxKernel parseElf(BootImage image, BootImage.Reader reader, ByteBuffer b) {
        String name = image.name();
        long length = image.size();
        if (b.capacity() < ELF_HEADER_SIZE) {
            throw truncated(name, "its ELF header ends early");
        }
        if (b.get(4) != 2 || b.get(5) != 1 || Short.toUnsignedInt(b.getShort(18)) != ELF_MACHINE_X86_64) {
            throw new BootException("Kernel image " + name + " is an ELF file but not a 64-bit little-endian x86-64 one: give an x86-64 vmlinux.");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        if (phentsize != ELF_PHDR_SIZE) {
            throw truncated(name, "its program headers are " + phentsize + " bytes each, not " + ELF_PHDR_SIZE);
        }
        if (phnum > ELF_MAX_PHDRS) {
            throw new BootException("Kernel image " + name + " has " + phnum + " program headers, more than the " + ELF_MAX_PHDRS
                    + " Linux's own loader takes: give a vmlinux.");
        }
        if (Long.compareUnsigned(phoff, length) > 0 || (long) phnum * ELF_PHDR_SIZE > length - phoff) {
            throw truncated(name, "its program headers lie outside the file");
        }
        ByteBuffer table = ByteBuffer.wrap(reader.read(phoff, phnum * ELF_PHDR_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        List<LoadSegment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int ph = i * ELF_PHDR_SIZE;
            if (table.getInt(ph) != ELF_PT_LOAD) {
                continue;
            }
            long offset = table.getLong(ph + 8);
            long paddr = table.getLong(ph + 24);
            long fileSize = table.getLong(ph + 32);
            long memSize = table.getLong(ph + 40);
            if (Long.compareUnsigned(offset, length) > 0 || Long.compareUnsigned(fileSize, length - offset) > 0) {
                throw truncated(name, "segment " + i + " lies outside the file");
            }
            if (Long.compareUnsigned(fileSize, memSize) > 0) {
                throw truncated(name, "segment " + i + " has more bytes in the file than in memory");
            }
            if (Long.compareUnsigned(paddr, FOUR_GIB) >= 0 || Long.compareUnsigned(memSize, FOUR_GIB - paddr) > 0) {
                throw new BootException("Kernel image " + name + " wants segment " + i + " at physical 0x" + Long.toHexString(paddr)
                        + ", beyond 4 GiB: give a vmlinux linked for a low physical address.");
            }
            if (memSize > 0) {
                segments.add(new LoadSegment(offset, fileSize, GuestAddress.of(paddr), memSize));
            }
        }
        if (segments.isEmpty()) {
            throw new BootException("Kernel image " + name + " is an ELF file without loadable segments: give a vmlinux.");
        }
        segments.sort(Comparator.comparing(LoadSegment::address));
        for (int i = 1; i < segments.size(); i++) {
            LoadSegment previous = segments.get(i - 1);
            if (segments.get(i).address().value() < previous.address().value() + previous.memorySize()) {
                throw truncated(name, "two of its segments overlap at physical 0x" + Long.toHexString(segments.get(i).address().value()));
            }
        }
        long low = segments.getFirst().address().value();
        long high = segments.getLast().address().value() + segments.getLast().memorySize();
        if (Long.compareUnsigned(entry, low) < 0 || Long.compareUnsigned(entry, high) >= 0) {
            throw new BootException("Kernel image " + name + " has its entry point 0x" + Long.toHexString(entry)
                    + " outside its loaded segments: give a vmlinux (its entry is physical), not a module or other ELF.");
        }
        return new LinuxKernel(image, Format.ELF_VMLINUX, 0, new byte[0], segments, GuestAddress.of(entry), GuestAddress.of(low),
                high - low, 0x37ffffffL, 2047);
    }

    private static BootException truncated(String name, String why) {
        return new BootException("Kernel image " + name + " is truncated or damaged (" + why + "): copy it again.");
    }

    private static String protocolString(int protocol) {
        return (protocol >> 8) + "." + String.format(Locale.ROOT, "%02d", protocol & 0xff);
    }

    /** {@return which kind of image this is} */
    public Format format() {
        return format;
    }

    /** {@return the boot protocol version, e.g. "2.15"; empty for an ELF vmlinux, which has no setup header} */
    public String protocolVersion() {
        return format == Format.BZIMAGE ? protocolString(protocol) : "";
    }

    /** {@return the setup header (boot_params offset 0x1f1 onwards) to copy into the zero page; empty for ELF} */
    public byte[] setupHeader() {
        return setupHeader.clone();
    }

    /** Where the bytes of {@link #segments()} come from. */
    BootImage image() {
        return image;
    }

    /** {@return the parts of the image to load, and where} */
    public List<LoadSegment> segments() {
        return segments;
    }

    /** {@return the 64-bit entry point (startup_64), a guest physical address} */
    public GuestAddress entry() {
        return entry;
    }

    /** {@return where the kernel's memory starts} */
    public GuestAddress loadStart() {
        return loadStart;
    }

    /** {@return the bytes from {@link #loadStart()} the kernel needs while it boots (init_size: decompression and bss)} */
    public long initSize() {
        return initSize;
    }

    /** {@return the highest address the initrd may occupy (initrd_addr_max)} */
    public long initrdAddressMax() {
        return initrdAddressMax;
    }

    /** {@return the longest command line the kernel takes, in bytes without the terminating zero} */
    public int maxCommandLine() {
        return maxCommandLine;
    }

    @Override
    public String toString() {
        return image.name() + " (" + (format == Format.BZIMAGE ? "bzImage, boot protocol " + protocolVersion() : "ELF vmlinux") + ")";
    }
}
