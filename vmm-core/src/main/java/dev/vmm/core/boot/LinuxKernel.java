package dev.vmm.core.boot;

import dev.vmm.core.GuestAddress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Linux x86-64 kernel image, checked and taken apart: a bzImage (boot protocol 2.12 or later,
 * with a 64-bit entry point) or an uncompressed ELF vmlinux. Every offset and length read from the
 * file is checked against the file's size, so a truncated or foreign file fails here with one
 * sentence, never later inside the guest.
 *
 * <p>The offsets are those of Documentation/arch/x86/boot.rst.
 */
public final class LinuxKernel {
    /** Which kind of image. */
    public enum Format { BZIMAGE, ELF_VMLINUX }

    /** Bytes to copy to {@code [address, address + data.length)}, then zeros up to {@code memorySize}. */
    public record LoadSegment(GuestAddress address, byte[] data, long memorySize) {}

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
    private static final int MIN_PROTOCOL = 0x020c;
    private static final int LOADED_HIGH = 0x01;
    private static final int XLF_KERNEL_64 = 0x01;
    /** Where the 64-bit entry point sits in the protected-mode part of a bzImage. */
    private static final long STARTUP_64_OFFSET = 0x200;
    /** Linux's default CONFIG_PHYSICAL_START, used when the header gives no preferred address. */
    static final long DEFAULT_LOAD_ADDRESS = 0x1000000;
    private static final int ELF_PT_LOAD = 1;
    /** Far above any real kernel (a debug vmlinux is a few hundred MiB), and within a Java array. */
    private static final long MAX_IMAGE_SIZE = 1L << 30;
    private static final int ELF_MACHINE_X86_64 = 62;

    private final String name;
    private final Format format;
    private final int protocol;
    private final byte[] setupHeader;
    private final List<LoadSegment> segments;
    private final GuestAddress entry;
    private final GuestAddress loadStart;
    private final long initSize;
    private final long initrdAddressMax;
    private final int maxCommandLine;

    private LinuxKernel(String name, Format format, int protocol, byte[] setupHeader, List<LoadSegment> segments,
                        GuestAddress entry, GuestAddress loadStart, long initSize, long initrdAddressMax, int maxCommandLine) {
        this.name = name;
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

    /** Reads and checks the image at {@code path}. */
    public static LinuxKernel read(Path path) {
        byte[] image;
        try {
            if (Files.size(path) > MAX_IMAGE_SIZE) {
                throw new BootException("Kernel image " + path + " is " + (Files.size(path) >> 20)
                        + " MiB, too large to be a kernel: give a bzImage or an ELF vmlinux.");
            }
            image = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new BootException("Kernel image " + path + " does not exist: give the path of a bzImage or an ELF vmlinux.");
        } catch (IOException e) {
            throw new BootException("Cannot read the kernel image " + path + " (" + e.getMessage() + "): check the path and its permissions.");
        }
        return parse(path.toString(), image);
    }

    /** Checks and takes apart {@code image}; {@code name} only appears in error messages. */
    public static LinuxKernel parse(String name, byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image.length >= 4 && b.getInt(0) == 0x464c457f) { // "\x7fELF"
            return parseElf(name, b);
        }
        if (image.length >= HEADER_MAGIC + 4 && b.getInt(HEADER_MAGIC) == HEADER_MAGIC_VALUE) {
            return parseBzImage(name, b);
        }
        throw new BootException("Kernel image " + name + " is neither a bzImage nor an ELF vmlinux (no 'HdrS' setup header, no ELF magic):"
                + " give an x86-64 Linux kernel such as /boot/vmlinuz-*.");
    }

    private static LinuxKernel parseBzImage(String name, ByteBuffer b) {
        int length = b.capacity();
        if (length < INIT_SIZE + 4) {
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
        long kernelOffset = (setupSectors + 1L) * 512;
        long payload = Integer.toUnsignedLong(b.getInt(SYSSIZE)) * 16;
        if (kernelOffset + payload > length) {
            throw truncated(name, "the header announces " + (kernelOffset + payload) + " bytes but the file has " + length);
        }
        // The setup header runs from 0x1f1 to the end of the jump at 0x200, whose target says how long it is.
        int headerEnd = 0x202 + Byte.toUnsignedInt(b.get(0x201));
        if (headerEnd > length || headerEnd <= HEADER_MAGIC) {
            throw truncated(name, "its setup header is cut off");
        }
        byte[] setupHeader = Arrays.copyOfRange(b.array(), SETUP_SECTS, headerEnd);
        long preferred = b.getLong(PREF_ADDRESS);
        GuestAddress load = GuestAddress.of(preferred != 0 ? preferred : DEFAULT_LOAD_ADDRESS);
        byte[] kernel = Arrays.copyOfRange(b.array(), (int) kernelOffset, length);
        long initSize = Math.max(Integer.toUnsignedLong(b.getInt(INIT_SIZE)), kernel.length);
        long initrdMax = Integer.toUnsignedLong(b.getInt(INITRD_ADDR_MAX));
        int cmdlineSize = b.getInt(CMDLINE_SIZE);
        return new LinuxKernel(name, Format.BZIMAGE, protocol, setupHeader, List.of(new LoadSegment(load, kernel, kernel.length)),
                load.plus(STARTUP_64_OFFSET), load, initSize, initrdMax == 0 ? 0x37ffffffL : initrdMax, cmdlineSize);
    }

    private static LinuxKernel parseElf(String name, ByteBuffer b) {
        int length = b.capacity();
        if (length < 64) {
            throw truncated(name, "its ELF header ends early");
        }
        if (b.get(4) != 2 || b.get(5) != 1 || Short.toUnsignedInt(b.getShort(18)) != ELF_MACHINE_X86_64) {
            throw new BootException("Kernel image " + name + " is an ELF file but not a 64-bit little-endian x86-64 one: give an x86-64 vmlinux.");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        if (phentsize < 56 || phoff < 0 || phoff + (long) phnum * phentsize > length) {
            throw truncated(name, "its program headers lie outside the file");
        }
        List<LoadSegment> segments = new ArrayList<>();
        long low = Long.MAX_VALUE;
        long high = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (b.getInt(ph) != ELF_PT_LOAD) {
                continue;
            }
            long offset = b.getLong(ph + 8);
            long paddr = b.getLong(ph + 24);
            long fileSize = b.getLong(ph + 32);
            long memSize = b.getLong(ph + 40);
            if (offset < 0 || fileSize < 0 || offset + fileSize > length || fileSize > memSize) {
                throw truncated(name, "segment " + i + " lies outside the file");
            }
            if (paddr < 0 || paddr + memSize < paddr || paddr + memSize > (1L << 32)) {
                throw new BootException("Kernel image " + name + " wants segment " + i + " at physical 0x" + Long.toHexString(paddr)
                        + ", beyond 4 GiB: give a vmlinux linked for a low physical address.");
            }
            segments.add(new LoadSegment(GuestAddress.of(paddr), Arrays.copyOfRange(b.array(), (int) offset, (int) (offset + fileSize)), memSize));
            low = Math.min(low, paddr);
            high = Math.max(high, paddr + memSize);
        }
        if (segments.isEmpty()) {
            throw new BootException("Kernel image " + name + " is an ELF file without loadable segments: give a vmlinux.");
        }
        if (entry < low || entry >= high) {
            throw new BootException("Kernel image " + name + " has its entry point 0x" + Long.toHexString(entry)
                    + " outside its loaded segments: give a vmlinux (its entry is physical), not a module or other ELF.");
        }
        return new LinuxKernel(name, Format.ELF_VMLINUX, 0, new byte[0], segments, GuestAddress.of(entry), GuestAddress.of(low),
                high - low, 0x37ffffffL, 2047);
    }

    private static BootException truncated(String name, String why) {
        return new BootException("Kernel image " + name + " is truncated or damaged (" + why + "): copy it again.");
    }

    private static String protocolString(int protocol) {
        return (protocol >> 8) + "." + String.format("%02d", protocol & 0xff);
    }

    public Format format() {
        return format;
    }

    /** The boot protocol version, e.g. "2.15"; empty for an ELF vmlinux, which has no setup header. */
    public String protocolVersion() {
        return format == Format.BZIMAGE ? protocolString(protocol) : "";
    }

    /** The setup header (boot_params offset 0x1f1 onwards) to copy into the zero page; empty for ELF. */
    public byte[] setupHeader() {
        return setupHeader.clone();
    }

    public List<LoadSegment> segments() {
        return segments;
    }

    /** The 64-bit entry point (startup_64), a guest physical address. */
    public GuestAddress entry() {
        return entry;
    }

    /** Where the kernel's memory starts. */
    public GuestAddress loadStart() {
        return loadStart;
    }

    /** Bytes from {@link #loadStart()} the kernel needs while it boots (init_size: decompression and bss). */
    public long initSize() {
        return initSize;
    }

    /** The highest address the initrd may occupy (initrd_addr_max). */
    public long initrdAddressMax() {
        return initrdAddressMax;
    }

    /** The longest command line the kernel takes, in bytes without the terminating zero. */
    public int maxCommandLine() {
        return maxCommandLine;
    }

    @Override
    public String toString() {
        return name + " (" + (format == Format.BZIMAGE ? "bzImage, boot protocol " + protocolVersion() : "ELF vmlinux") + ")";
    }
}
