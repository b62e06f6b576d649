// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinuxBootTest {
    private static final long MIB = 1 << 20;
    private final LinuxKernel kernel = LinuxKernel.parse("test", TestImages.bzImage(64 * 1024).array());

    @Test
    void memoryAboveThreeGibMovesAboveTheMmioGap() {
        List<GuestMemory.Range> ranges = LinuxBoot.memoryRanges(4096 * MIB);
        assertEquals(List.of(new GuestMemory.Range(GuestAddress.of(0), 3072 * MIB), new GuestMemory.Range(GuestAddress.of(4096 * MIB), 1024 * MIB)), ranges);
        LinuxBoot boot = LinuxBoot.plan(kernel, null, "console=ttyS0", 4096 * MIB, 1);
        long ram = boot.e820().stream().filter(LinuxBoot.E820Entry::isRam).mapToLong(LinuxBoot.E820Entry::size).sum();
        // All RAM but the top of base memory (MP table) and the legacy hole below 1 MiB.
        assertEquals(4096 * MIB - (LinuxBoot.HIGH_MEMORY.value() - LinuxBoot.MP_TABLE.value()), ram);
        assertTrue(boot.e820().stream().noneMatch(e -> e.isRam() && e.start().value() < (4096 * MIB) && e.start().value() + e.size() > 3072 * MIB),
                "no RAM in the MMIO gap: " + boot.e820());
    }

    @Test
    void theInitrdGoesAtTheTopOfLowMemoryPageAligned() {
        BootImage initrd = BootImage.of("initrd", new byte[3 * 4096 + 5]);
        LinuxBoot boot = LinuxBoot.plan(kernel, initrd, "", 64 * MIB, 1);
        assertEquals(64 * MIB - 4 * 4096, boot.initrdAddress().value());
    }

    @Test
    void theZeroPagePointsAtTheCommandLineInitrdAndE820Map() {
        BootImage initrd = BootImage.of("initrd", new byte[8192]);
        LinuxBoot boot = LinuxBoot.plan(kernel, initrd, "console=ttyS0", 128 * MIB, 2);
        ByteBuffer page = ByteBuffer.wrap(boot.zeroPage()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(LinuxBoot.COMMAND_LINE.value(), page.getInt(0x228));
        assertEquals(boot.initrdAddress().value(), page.getInt(0x218));
        assertEquals(initrd.size(), page.getInt(0x21c));
        assertEquals(0xff, page.get(0x210) & 0xff);
        assertEquals(LinuxKernel.HEADER_MAGIC_VALUE, page.getInt(LinuxKernel.HEADER_MAGIC));
        List<LinuxBoot.E820Entry> map = boot.e820();
        assertEquals(map.size(), page.get(0x1e8));
        for (int i = 0; i < map.size(); i++) {
            assertEquals(map.get(i).start().value(), page.getLong(0x2d0 + 20 * i));
            assertEquals(map.get(i).size(), page.getLong(0x2d0 + 20 * i + 8));
        }
    }

    @Test
    void badInputsAreRefusedBeforeAnythingIsWritten() {
        String longLine = "x".repeat(2048);
        BootException e = assertThrows(BootException.class, () -> LinuxBoot.plan(kernel, null, longLine, 64 * MIB, 1));
        assertTrue(e.getMessage().startsWith("The kernel command line is 2048 bytes, but") && e.getMessage().endsWith("takes at most 2047: shorten it."), e.getMessage());

        e = assertThrows(BootException.class, () -> LinuxBoot.plan(kernel, null, "console=ttyS0 café", 64 * MIB, 1));
        assertEquals("The kernel command line holds a character that is not ASCII, or a NUL: use plain ASCII.", e.getMessage());

        e = assertThrows(BootException.class, () -> LinuxBoot.plan(kernel, null, "", 16 * MIB, 1));
        assertTrue(e.getMessage().startsWith("16 MiB of guest memory is too small"), e.getMessage());

        e = assertThrows(BootException.class, () -> LinuxBoot.plan(kernel, BootImage.of("initrd", new byte[(int) (20 * MIB)]), "", 32 * MIB, 1));
        assertTrue(e.getMessage().startsWith("The initrd of 20 MiB does not fit"), e.getMessage());

        e = assertThrows(BootException.class, () -> LinuxBoot.plan(kernel, BootImage.of("initrd", new byte[0]), "", 32 * MIB, 1));
        assertTrue(e.getMessage().startsWith("The initrd is empty"), e.getMessage());

        e = assertThrows(BootException.class, () -> LinuxBoot.plan(kernel, null, "", 32 * MIB, LinuxBoot.maxCpus(true) + 1));
        assertEquals((LinuxBoot.maxCpus(true) + 1) + " vCPUs asked for: give 1 to " + LinuxBoot.maxCpus(true) + ".", e.getMessage());

        e = assertThrows(BootException.class, () -> LinuxBoot.plan(kernel, null, "acpi=off", 32 * MIB, LinuxBoot.maxCpus(false) + 1));
        assertTrue(e.getMessage().startsWith((LinuxBoot.maxCpus(false) + 1) + " vCPUs asked for: give 1 to " + LinuxBoot.maxCpus(false) + " (")
                && e.getMessage().endsWith("or drop acpi=off for up to " + LinuxBoot.maxCpus(true) + "."), e.getMessage());
    }

    @Test
    void acpiIsOnUnlessTheCommandLineSaysAcpiOff() {
        assertTrue(LinuxBoot.usesAcpi("console=ttyS0 quiet"));
        assertTrue(LinuxBoot.usesAcpi("acpi=force noacpi=off xacpi=off"));
        assertTrue(!LinuxBoot.usesAcpi("console=ttyS0 acpi=off quiet"));
        assertTrue(!LinuxBoot.usesAcpi("acpi=off"));
        assertTrue(!LinuxBoot.usesAcpi("quiet\tacpi=off"));
    }

    @Test
    void theAcpiTablesAreInGuestMemoryReservedAndPointedAtByTheZeroPage() {
        LinuxBoot boot = LinuxBoot.plan(kernel, null, "console=ttyS0", 64 * MIB, 2);
        ByteBuffer page = ByteBuffer.wrap(boot.zeroPage()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(boot.acpiTables().rsdp().value(), page.getLong(0x070), "acpi_rsdp_addr");
        GuestMemory.Range window = dev.vmm.core.acpi.AcpiTables.WINDOW;
        assertTrue(boot.e820().contains(new LinuxBoot.E820Entry(window.start(), window.size(), 2)), "window reserved: " + boot.e820());
        for (int i = 1; i < boot.e820().size(); i++) {
            LinuxBoot.E820Entry before = boot.e820().get(i - 1), entry = boot.e820().get(i);
            assertTrue(before.start().value() + before.size() <= entry.start().value(), "sorted, no overlap: " + boot.e820());
        }
        try (GuestMemory memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(64 * MIB))) {
            boot.load(memory);
            byte[] tables = boot.acpiTables().bytes();
            assertEquals(java.util.Arrays.toString(tables), java.util.Arrays.toString(memory.read(boot.acpiTables().address(), tables.length)));
            assertEquals("RSD PTR ", new String(memory.read(GuestAddress.of(page.getLong(0x070)), 8), java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals("_MP_", new String(memory.read(LinuxBoot.MP_TABLE, 4), java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void moreVcpusThanTheMpTableHoldsBootWithAcpiAndNoMpTable() {
        int cpus = LinuxBoot.maxCpus(false) + 1;
        try (GuestMemory memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(64 * MIB))) {
            LinuxBoot.plan(kernel, null, "console=ttyS0", 64 * MIB, cpus).load(memory);
            assertEquals(0, memory.read(LinuxBoot.MP_TABLE, 4)[0], "no MP table that could not list every vCPU");
        }
    }

    @Test
    void theLongestCommandLineEndsJustBelowTheMpTable() {
        ByteBuffer image = TestImages.bzImage(4096);
        image.putInt(LinuxKernel.CMDLINE_SIZE, 0xffffffff); // the kernel takes any length: our area is the limit
        LinuxKernel unlimited = LinuxKernel.parse("vmlinuz", image.array());
        int room = (int) (LinuxBoot.MP_TABLE.value() - LinuxBoot.COMMAND_LINE.value()) - 1;
        LinuxKernelTest.assertOneSentence(() -> LinuxBoot.plan(unlimited, null, "x".repeat(room + 1), 64 * MIB, 1), "takes at most " + room);
        try (GuestMemory memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(64 * MIB))) {
            LinuxBoot.plan(unlimited, null, "x".repeat(room), 64 * MIB, 1).load(memory);
            assertEquals("x\0_MP_", new String(memory.read(GuestAddress.of(LinuxBoot.MP_TABLE.value() - 2), 6), java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void theMpTableHasValidChecksumsAndOneEntryPerCpu() {
        int cpus = 3;
        byte[] table = MpTable.build(LinuxBoot.MP_TABLE.value(), cpus);
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("_MP_", new String(table, 0, 4));
        assertEquals(0, sum(table, 0, 16), "floating pointer checksum");
        assertEquals(LinuxBoot.MP_TABLE.value() + 16, b.getInt(4));
        int length = Short.toUnsignedInt(b.getShort(16 + 4));
        assertEquals(table.length - 16, length);
        assertEquals(0, sum(table, 16, length), "configuration table checksum");
        int processors = 0;
        int bsp = 0;
        for (int at = 16 + 44; at < table.length; ) {
            int type = table[at];
            if (type == 0) {
                processors++;
                bsp += (table[at + 3] & 2) != 0 ? 1 : 0;
                assertEquals(processors - 1, table[at + 1], "APIC IDs count up from 0");
            }
            at += type == 0 ? 20 : 8;
        }
        assertEquals(cpus, processors);
        assertEquals(1, bsp);
        assertTrue(MpTable.build(0, LinuxBoot.maxCpus(false)).length <= MpTable.MAX_SIZE);
    }

    private static int sum(byte[] bytes, int from, int length) {
        int s = 0;
        for (int i = from; i < from + length; i++) {
            s += bytes[i];
        }
        return s & 0xff;
    }
}
