// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Registers;
import dev.vmm.core.Vcpu;
import dev.vmm.core.acpi.AcpiTables;
import dev.vmm.core.acpi.Dsdt;
import dev.vmm.core.x86.GuestCpuid;
import dev.vmm.core.x86.LongMode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Boots a Linux x86-64 kernel through its 64-bit entry point, as a boot loader would leave it: the
 * kernel, initrd and command line in guest memory, a zero page ({@code boot_params}) describing
 * them and the e820 memory map, the machine described twice (ACPI tables, found through the zero
 * page's {@code acpi_rsdp_addr} and in the BIOS area; and an MP table, for a kernel booted with
 * {@code acpi=off}), and the bootstrap vCPU in long mode with {@code rsi} pointing at the zero page.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=linux-boot}
 *
 * {@link #plan} checks that everything fits before anything is written, and says what does not.
 * {@link #load} copies the kernel and initrd from their files and fails with a {@link BootException}
 * only if a file changed since it was checked.
 */
public final class LinuxBoot {
    /** The zero page (boot_params). */
    public static final GuestAddress ZERO_PAGE = GuestAddress.of(0x7000);
    /** Initial stack pointer of the bootstrap vCPU (the stack grows down below it). */
    public static final GuestAddress BOOT_STACK = GuestAddress.of(0x8ff0);
    /** GDT and identity page tables (see {@link LongMode}). */
    public static final GuestAddress PAGE_TABLES = GuestAddress.of(0x9000);
    /** The kernel command line. */
    public static final GuestAddress COMMAND_LINE = GuestAddress.of(0x20000);
    /** The MP floating pointer and table: the last KiB of base memory, where Linux looks. */
    public static final GuestAddress MP_TABLE = GuestAddress.of(0x9fc00);
    /** The first byte above the legacy hole (VGA, option ROMs, BIOS). */
    public static final GuestAddress HIGH_MEMORY = GuestAddress.of(0x100000);
    /** The 32-bit MMIO gap, [3 GiB, 4 GiB): I/O APIC, local APIC and other devices live here, not RAM. */
    public static final GuestAddress MMIO_GAP_START = GuestAddress.of(0xc0000000L);
    /** The end of the 32-bit MMIO gap, 4 GiB, where RAM above the gap resumes. */
    public static final GuestAddress MMIO_GAP_END = GuestAddress.of(1L << 32);
    /** The identity-mapped range: the first GiB holds everything the kernel needs at entry. */
    private static final GuestMemory.Range IDENTITY_MAPPED = new GuestMemory.Range(GuestAddress.of(0), 1L << 30);
    /** Far above any guest this VMM runs, and low enough that no address computed from it overflows. */
    private static final long MAX_MEMORY = 1L << 46;

    private static final int E820_RAM = 1;
    private static final int E820_RESERVED = 2;
    private static final int MAX_E820_ENTRIES = 128;

    /**
     * One entry of the e820 memory map the guest receives.
     *
     * @param start the range's first guest physical address
     * @param size its size in bytes
     * @param type the e820 type: 1 for RAM, 2 for reserved
     */
    public record E820Entry(GuestAddress start, long size, int type) {
        /** {@return whether the range is RAM the kernel may use (type 1)} */
        public boolean isRam() {
            return type == E820_RAM;
        }
    }

    private final LinuxKernel kernel;
    private final BootImage initrd;
    private final GuestAddress initrdAddress;
    private final byte[] commandLine;
    private final long memorySize;
    private final int cpus;
    private final AcpiTables acpiTables;

    private LinuxBoot(LinuxKernel kernel, BootImage initrd, GuestAddress initrdAddress, byte[] commandLine, long memorySize, int cpus,
                      Dsdt dsdt) {
        this.kernel = kernel;
        this.initrd = initrd;
        this.initrdAddress = initrdAddress;
        this.commandLine = commandLine;
        this.memorySize = memorySize;
        this.cpus = cpus;
        this.acpiTables = AcpiTables.build(cpus, dsdt);
    }

    /**
     * {@return this boot with {@code dsdt} in its ACPI tables instead of {@link Dsdt#microVm()}: for devices of its own}
     *
     * @param dsdt the DSDT, such as {@link Dsdt#microVm()} with more devices
     */
    public LinuxBoot withDsdt(Dsdt dsdt) {
        return new LinuxBoot(kernel, initrd, initrdAddress, commandLine, memorySize, cpus, dsdt);
    }

    /**
     * {@return the RAM ranges for {@code size} bytes of guest memory: below the MMIO gap, the rest from 4 GiB}
     *
     * @param size the guest's memory in bytes, a multiple of 4 KiB
     * @throws IllegalArgumentException when {@code size} is not a positive multiple of 4 KiB
     */
    public static List<GuestMemory.Range> memoryRanges(long size) {
        long low = Math.min(size, MMIO_GAP_START.value());
        List<GuestMemory.Range> ranges = new ArrayList<>();
        ranges.add(new GuestMemory.Range(GuestAddress.of(0), low));
        if (size > low) {
            ranges.add(new GuestMemory.Range(MMIO_GAP_END, size - low));
        }
        return ranges;
    }

    /**
     * Most vCPUs a guest can be told about: with ACPI, as many as get an xAPIC ID (the MADT could
     * list more, but {@link GuestCpuid} numbers vCPUs in 8 bits); with {@code acpi=off}, as many as
     * the MP table holds in the last KiB of base memory. KVM's own limit is checked where the vCPUs
     * are created.
     *
     * @param acpi whether the kernel uses ACPI ({@link #usesAcpi})
     * @return the most vCPUs
     */
    public static int maxCpus(boolean acpi) {
        return acpi ? GuestCpuid.MAX_VCPUS : MpTable.maxCpus();
    }

    /**
     * {@return whether a kernel given {@code commandLine} uses ACPI: unless it says {@code acpi=off}}
     *
     * @param commandLine the kernel command line
     */
    public static boolean usesAcpi(String commandLine) {
        return commandLineWords(commandLine).noneMatch("acpi=off"::equals);
    }

    /**
     * {@return the words of a kernel command line, split at blanks as the kernel splits them (quoting aside)}
     *
     * @param commandLine the kernel command line
     */
    public static Stream<String> commandLineWords(String commandLine) {
        return Arrays.stream(commandLine.split("[ \\t\\n]+"));
    }

    /**
     * Checks the kernel and initrd files ({@link LinuxKernel#read}, {@link BootImage#initrd}), then
     * {@link #plan(LinuxKernel, BootImage, String, long, int) plans}.
     *
     * @param kernel the kernel image: a bzImage or an ELF vmlinux
     * @param initrd the initial RAM disk, or null for none
     * @param commandLine the kernel command line
     * @param memorySize the guest's memory in bytes
     * @param cpus the number of vCPUs the tables describe
     * @return the plan, to {@link #load} into memory of {@link #memoryRanges}
     * @throws BootException when a file cannot boot, or the plan does not fit (see the other {@code plan})
     */
    public static LinuxBoot plan(Path kernel, Path initrd, String commandLine, long memorySize, int cpus) {
        return plan(LinuxKernel.read(kernel), initrd == null ? null : BootImage.initrd(initrd), commandLine, memorySize, cpus);
    }

    /**
     * Decides where everything goes and checks that it fits in {@code memorySize} bytes of RAM laid
     * out by {@link #memoryRanges}. Only the initrd's size matters here; its bytes are read by {@link #load}.
     *
     * @param kernel the parsed kernel
     * @param initrd the initial RAM disk, or null for none
     * @param commandLine the kernel command line
     * @param memorySize the guest's memory in bytes
     * @param cpus the number of vCPUs the tables describe
     * @return the plan, to {@link #load} into memory of {@link #memoryRanges}
     * @throws BootException when the command line is too long, the memory too small for the kernel,
     *     or the initrd does not fit between the kernel and the end of low memory
     */
    public static LinuxBoot plan(LinuxKernel kernel, BootImage initrd, String commandLine, long memorySize, int cpus) {
        boolean acpi = usesAcpi(commandLine);
        if (cpus < 1 || cpus > maxCpus(acpi)) {
            throw new BootException(cpus + " vCPUs asked for: give 1 to " + maxCpus(acpi)
                    + (acpi ? "." : " (the MP table that a kernel booted with acpi=off reads holds no more), or drop acpi=off for up to "
                    + maxCpus(true) + "."));
        }
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(commandLine) || commandLine.indexOf('\0') >= 0) {
            throw new BootException("The kernel command line holds a character that is not ASCII, or a NUL: use plain ASCII.");
        }
        byte[] cmdline = commandLine.getBytes(StandardCharsets.US_ASCII);
        int maxCmdline = Math.min(kernel.maxCommandLine(), (int) (MP_TABLE.value() - COMMAND_LINE.value()) - 1);
        if (cmdline.length > maxCmdline) {
            throw new BootException("The kernel command line is " + cmdline.length + " bytes, but " + kernel
                    + " takes at most " + maxCmdline + ": shorten it.");
        }
        if (memorySize <= 0 || memorySize % GuestMemory.PAGE_SIZE != 0 || memorySize > MAX_MEMORY) {
            throw new BootException("Guest memory of " + memorySize + " bytes is not a positive multiple of 4 KiB up to "
                    + (MAX_MEMORY >> 40) + " TiB: give a size in whole MiB.");
        }
        long lowEnd = Math.min(memorySize, MMIO_GAP_START.value());
        // LinuxKernel keeps the kernel below 4 GiB, so this cannot overflow; addExact says so.
        long kernelEnd = Math.addExact(kernel.loadStart().value(), kernel.initSize());
        if (kernel.loadStart().value() < HIGH_MEMORY.value()) {
            throw new BootException("Kernel image " + kernel + " wants to load at " + kernel.loadStart()
                    + ", below 1 MiB where the boot tables live: give a kernel that loads at 1 MiB or above.");
        }
        if (kernelEnd > IDENTITY_MAPPED.end().value()) {
            throw new BootException("Kernel image " + kernel + " needs memory up to " + mib(kernelEnd) + ", beyond the first "
                    + mib(IDENTITY_MAPPED.size()) + " that its entry point sees mapped: give a kernel that loads lower.");
        }
        if (kernelEnd > lowEnd) {
            throw new BootException(mib(memorySize) + " of guest memory is too small: " + kernel + " needs memory up to "
                    + mib(kernelEnd) + " to boot; give more memory (--mem).");
        }
        GuestAddress initrdAt = null;
        if (initrd != null) {
            long size = initrd.size();
            long top = Math.min(lowEnd, kernel.initrdAddressMax() + 1);
            long at = (top - size) & ~(GuestMemory.PAGE_SIZE - 1); // initrd and memory are at most 2^46: no overflow
            if (size == 0 || at < kernelEnd) {
                throw new BootException(size == 0 ? "The initrd is empty: give a cpio archive (compressed or not)."
                        : "The initrd of " + mib(size) + " does not fit between the kernel (ending at " + mib(kernelEnd)
                        + ") and the end of low memory at " + mib(top) + ": give more memory (--mem) or a smaller initrd.");
            }
            initrdAt = GuestAddress.of(at);
        }
        return new LinuxBoot(kernel, initrd, initrdAt, cmdline, memorySize, cpus, Dsdt.microVm());
    }

    /** {@return the e820 map the guest receives: RAM around the legacy hole and the 32-bit MMIO gap} */
    public List<E820Entry> e820() {
        List<E820Entry> map = new ArrayList<>();
        map.add(new E820Entry(GuestAddress.of(0), MP_TABLE.value(), E820_RAM));
        map.add(new E820Entry(MP_TABLE, MpTable.MAX_SIZE, E820_RESERVED));
        map.add(new E820Entry(AcpiTables.WINDOW.start(), AcpiTables.WINDOW.size(), E820_RESERVED));
        for (GuestMemory.Range range : memoryRanges(memorySize)) {
            GuestAddress start = range.start().compareTo(HIGH_MEMORY) < 0 ? HIGH_MEMORY : range.start();
            map.add(new E820Entry(start, range.end().value() - start.value(), E820_RAM));
        }
        return map;
    }

    /** {@return where the initrd goes, or null without one} */
    public GuestAddress initrdAddress() {
        return initrdAddress;
    }

    /** {@return the kernel this boot loads} */
    public LinuxKernel kernel() {
        return kernel;
    }

    /** {@return the ACPI tables the guest receives} */
    public AcpiTables acpiTables() {
        return acpiTables;
    }

    /**
     * Writes the kernel, initrd, command line, zero page, ACPI tables and MP table into {@code memory}, copying
     * the kernel's segments and the initrd from their files in bounded chunks.
     *
     * @param memory guest memory of the planned size, laid out by {@link #memoryRanges}
     * @throws IllegalArgumentException when the memory is not of the planned size
     * @throws BootException when the kernel or initrd file changed or shrank since it was checked
     */
    public void load(GuestMemory memory) {
        if (memory.size() != memorySize) {
            throw new IllegalArgumentException("This boot was planned for " + mib(memorySize) + " of memory, not " + mib(memory.size()) + ".");
        }
        try (BootImage.Reader image = kernel.image().open()) {
            for (LinuxKernel.LoadSegment segment : kernel.segments()) {
                image.copyTo(memory, segment.address(), segment.fileOffset(), segment.fileSize());
                if (segment.memorySize() > segment.fileSize()) {
                    memory.fill(segment.address().plus(segment.fileSize()), segment.memorySize() - segment.fileSize(), (byte) 0);
                }
            }
        }
        if (initrd != null) {
            try (BootImage.Reader image = initrd.open()) {
                image.copyTo(memory, initrdAddress, 0, initrd.size());
            }
        }
        byte[] cmdline = new byte[commandLine.length + 1];
        System.arraycopy(commandLine, 0, cmdline, 0, commandLine.length);
        memory.write(COMMAND_LINE, cmdline);
        memory.write(ZERO_PAGE, zeroPage());
        memory.write(acpiTables.address(), acpiTables.bytes());
        if (cpus <= MpTable.maxCpus()) { // more vCPUs are only bootable with ACPI (see plan)
            memory.write(MP_TABLE, MpTable.build(MP_TABLE.value(), cpus));
        }
    }

    /**
     * Puts the bootstrap vCPU at the kernel's 64-bit entry: long mode with the first GiB identity
     * mapped, {@code rsi} = zero page, a stack below {@link #BOOT_STACK}. The vCPU's CPUID must
     * already be set. The other vCPUs stay as KVM created them, waiting for the kernel's INIT/SIPI.
     *
     * @param bootstrap the bootstrap vCPU, vCPU 0
     * @param memory the guest memory the boot was loaded into, where the page tables go
     * @throws IllegalStateException when the vCPU's CPUID does not advertise long mode
     */
    public void enterKernel(Vcpu bootstrap, GuestMemory memory) {
        LongMode.enter(bootstrap, memory, PAGE_TABLES, IDENTITY_MAPPED);
        Registers regs = bootstrap.registers()
                .rflags(0x2) // bit 1 is reserved and must be set; interrupts off
                .rip(kernel.entry().value())
                .rsp(BOOT_STACK.value())
                .rbp(BOOT_STACK.value())
                .rsi(ZERO_PAGE.value());
        bootstrap.setRegisters(regs);
    }

    /** The boot_params page: setup header, command line, initrd and e820 map. */
    byte[] zeroPage() {
        ByteBuffer page = ByteBuffer.allocate((int) GuestMemory.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        byte[] header = kernel.setupHeader();
        if (header.length > 0) {
            page.put(LinuxKernel.SETUP_SECTS, header);
        } else { // an ELF vmlinux has no setup header: write the fields the kernel reads
            page.putShort(LinuxKernel.BOOT_FLAG, (short) 0xaa55);
            page.putInt(LinuxKernel.HEADER_MAGIC, LinuxKernel.HEADER_MAGIC_VALUE);
            page.putShort(LinuxKernel.VERSION, (short) 0x020c);
            page.putInt(LinuxKernel.KERNEL_ALIGNMENT, 0x1000000);
            page.putInt(LinuxKernel.CMDLINE_SIZE, kernel.maxCommandLine());
        }
        // acpi_rsdp_addr: read by every kernel since 5.0 whatever the protocol version (2.14 was
        // burnt, see boot.rst); older ones keep zero padding here and find the RSDP by their scan.
        page.putLong(0x070, acpiTables.rsdp().value());
        page.put(0x210, (byte) 0xff); // type_of_loader: "undefined" boot loader
        page.putInt(0x228, (int) COMMAND_LINE.value()); // cmd_line_ptr
        if (initrd != null) {
            page.putInt(0x218, (int) initrdAddress.value()); // ramdisk_image
            page.putInt(0x21c, (int) initrd.size());         // ramdisk_size (at most 1 GiB for a file)
        }
        List<E820Entry> map = e820();
        if (map.size() > MAX_E820_ENTRIES) {
            throw new IllegalStateException("An e820 map of " + map.size() + " entries exceeds the zero page's " + MAX_E820_ENTRIES + ".");
        }
        page.put(0x1e8, (byte) map.size());
        for (int i = 0; i < map.size(); i++) {
            E820Entry e = map.get(i);
            page.putLong(0x2d0 + 20 * i, e.start().value()).putLong(0x2d0 + 20 * i + 8, e.size()).putInt(0x2d0 + 20 * i + 16, e.type());
        }
        return page.array();
    }

    private static String mib(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
