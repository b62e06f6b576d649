// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.boot.LinuxBoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tables as the guest reads them, parsed here from the bytes by the specification's offsets
 * (ACPI 6.3, chapter 5): every header's length and checksum, both RSDP checksums, the pointers from
 * RSDP to XSDT to FADT and MADT and from FADT to DSDT, the MADT's entries per vCPU count, and the
 * layout against LinuxBoot's memory map. {@link AcpiTablesIaslTest} has iasl read the same tables.
 */
class AcpiTablesTest {
    @ParameterizedTest(name = "{0} vCPUs")
    @ValueSource(ints = {1, 2, 4, 255, 256, AcpiTables.MAX_VCPUS})
    void everyPointerLeadsToATableWithItsLengthAndChecksum(int vcpus) {
        AcpiTables tables = AcpiTables.build(vcpus);
        Guest guest = new Guest(tables);

        ByteBuffer rsdp = guest.at(tables.rsdp().value(), Rsdp.SIZE);
        assertEquals("RSD PTR ", guest.ascii(tables.rsdp().value(), 8));
        assertEquals(0, sum(guest, tables.rsdp().value(), 20), "the ACPI 1.0 checksum over the first 20 bytes");
        assertEquals(0, sum(guest, tables.rsdp().value(), 36), "the extended checksum over all 36 bytes");
        assertEquals(2, rsdp.get(15), "revision");
        assertEquals(0, rsdp.getInt(16), "no RSDT");
        assertEquals(36, rsdp.getInt(20), "length");
        assertEquals(DescriptionTable.OEM_ID, guest.ascii(tables.rsdp().value() + 9, 6));

        long xsdt = rsdp.getLong(24);
        assertEquals(52, checkedTable(guest, xsdt, "XSDT", 1), "an XSDT of two pointers");
        long fadt = guest.at(xsdt + 36, 8).getLong();
        long madt = guest.at(xsdt + 44, 8).getLong();
        assertEquals(276, checkedTable(guest, fadt, "FACP", 6), "FADT of ACPI 6.x");
        assertEquals(3, guest.at(fadt + 131, 1).get(), "FADT minor revision");
        int madtLength = checkedTable(guest, madt, "APIC", 5);

        ByteBuffer f = guest.at(fadt, 276);
        assertEquals(0, f.getInt(36), "no FACS");
        assertEquals(0, f.getInt(40), "the 32-bit DSDT field is zero when X_DSDT is set");
        assertEquals(0, f.getLong(132), "no X_FACS");
        long dsdt = f.getLong(140);
        int dsdtLength = checkedTable(guest, dsdt, "DSDT", 2);
        assertEquals(Dsdt.microVm().table().length, dsdtLength);

        List<long[]> ranges = new ArrayList<>(List.of(new long[] {tables.rsdp().value(), 36}, new long[] {xsdt, 52}, new long[] {fadt, 276},
                new long[] {madt, madtLength}, new long[] {dsdt, dsdtLength}));
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 0; i < ranges.size(); i++) {
            long[] r = ranges.get(i);
            assertTrue(r[0] >= AcpiTables.WINDOW.start().value() && r[0] + r[1] <= AcpiTables.WINDOW.end().value(), "inside the window");
            assertEquals(0, r[0] % 16, "16-byte aligned");
            if (i > 0) {
                long[] before = ranges.get(i - 1);
                assertTrue(before[0] + before[1] <= r[0], "tables do not overlap");
            }
        }
    }

    @Test
    void theFadtDescribesTheHardwareReducedProfileAndItsPowerRegister() {
        AcpiTables tables = AcpiTables.build(1);
        ByteBuffer f = new Guest(tables).at(tables.fadt().value(), Fadt.SIZE);
        int flags = f.getInt(112);
        assertEquals(1 << 20, flags & 1 << 20, "HW_REDUCED_ACPI");
        assertEquals(1 << 10, flags & 1 << 10, "RESET_REG_SUP");
        for (int gas : new int[] {116, 244, 256}) { // reset, sleep control, sleep status
            assertEquals(1, f.get(gas), "SystemIO");
            assertEquals(8, f.get(gas + 1), "8 bits wide");
            assertEquals(0, f.get(gas + 2), "from bit 0");
            assertEquals(1, f.get(gas + 3), "byte access");
            assertEquals(PowerRegister.PORT, f.getLong(gas + 4));
        }
        assertEquals(PowerRegister.RESET_VALUE, f.get(128));
        for (int legacyBlock = 46; legacyBlock < 96; legacyBlock++) { // SCI_INT through the block lengths: no fixed hardware
            assertEquals(0, f.get(legacyBlock), "offset " + legacyBlock);
        }
        for (int xBlock = 148; xBlock < 244; xBlock++) { // X_PM1a_EVT_BLK through X_GPE1_BLK
            assertEquals(0, f.get(xBlock), "offset " + xBlock);
        }
        assertEquals(0x32, f.get(108), "the CMOS century register RtcCmos keeps");
        assertEquals(0b111, f.getShort(109), "IA-PC boot flags: legacy devices, 8042, no VGA");
        assertEquals("VMMJAVA ", new String(tables.slice(GuestAddress.of(tables.fadt().value() + 268), 8), StandardCharsets.US_ASCII));
    }

    @ParameterizedTest(name = "{0} vCPUs")
    @ValueSource(ints = {1, 2, 4, 255, 256, 300, AcpiTables.MAX_VCPUS})
    void theMadtHasOneEnabledEntryPerVcpuAndTheIoApic(int vcpus) {
        AcpiTables tables = AcpiTables.build(vcpus);
        Guest guest = new Guest(tables);
        long madt = tables.madt().value();
        ByteBuffer header = guest.at(madt, 44);
        int length = header.getInt(4);
        assertEquals(0xfee0_0000, header.getInt(36), "local APIC address");
        assertEquals(1, header.getInt(40), "PCAT_COMPAT");

        List<Long> apicIds = new ArrayList<>();
        int ioApics = 0, nmis = 0, x2apicNmis = 0, overrides = 0;
        for (long at = madt + 44; at < madt + length; ) {
            ByteBuffer e = guest.at(at, 2);
            int type = e.get(0), size = e.get(1) & 0xff;
            ByteBuffer entry = guest.at(at, size);
            switch (type) {
                case 0 -> { // Processor Local APIC
                    assertEquals(8, size);
                    assertEquals(entry.get(2) & 0xff, entry.get(3) & 0xff, "UID = APIC ID");
                    assertEquals(1, entry.getInt(4), "enabled");
                    apicIds.add((long) (entry.get(3) & 0xff));
                }
                case 9 -> { // Processor Local x2APIC
                    assertEquals(16, size);
                    assertTrue(entry.getInt(4) >= 255, "x2APIC entries only where xAPIC IDs end");
                    assertEquals(1, entry.getInt(8), "enabled");
                    assertEquals(entry.getInt(4), entry.getInt(12), "UID = APIC ID");
                    apicIds.add((long) entry.getInt(4));
                }
                case 1 -> { // I/O APIC
                    assertEquals(12, size);
                    assertEquals(0, entry.get(2), "I/O APIC ID as KVM resets it");
                    assertEquals(0xfec0_0000, entry.getInt(4));
                    assertEquals(0, entry.getInt(8), "GSI base");
                    ioApics++;
                }
                case 4 -> { // Local APIC NMI
                    assertEquals(6, size);
                    assertEquals(0xff, entry.get(2) & 0xff, "all processors");
                    assertEquals(1, entry.get(5), "LINT1");
                    nmis++;
                }
                case 10 -> { // Local x2APIC NMI
                    assertEquals(12, size);
                    assertEquals(-1, entry.getInt(4), "all processors");
                    assertEquals(1, entry.get(8), "LINT1");
                    x2apicNmis++;
                }
                case 2 -> overrides++;
                default -> throw new AssertionError("unexpected MADT entry type " + type);
            }
            at += size;
        }
        List<Long> expected = new ArrayList<>();
        for (long id = 0; id < vcpus; id++) {
            expected.add(id);
        }
        assertEquals(expected, apicIds, "APIC IDs 0 to vcpus - 1, bootstrap first");
        assertEquals(1, ioApics);
        assertEquals(1, nmis);
        assertEquals(vcpus > 255 ? 1 : 0, x2apicNmis);
        assertEquals(0, overrides, "ISA IRQs are identity-mapped, as KVM's default routing and the MP table have them");
        assertEquals(Madt.size(vcpus), length);
    }

    @ParameterizedTest(name = "{0} vCPUs")
    @ValueSource(ints = {0, -1, AcpiTables.MAX_VCPUS + 1, Integer.MAX_VALUE})
    void vcpuCountsTheTablesCannotDescribeAreOneSentence(int vcpus) {
        AmlInputsTest.assertOneSentence(assertThrows(IllegalArgumentException.class, () -> AcpiTables.build(vcpus)),
                "ACPI tables describe 1 to 4096 vCPUs, not " + vcpus);
    }

    @Test
    void aDsdtTooLargeForTheWindowIsOneSentence() {
        Aml big = Aml.name("BIG", Aml.buffer(new byte[70 * 1024])); // with the largest MADT (63 KiB), more than 128 KiB
        AmlInputsTest.assertOneSentence(assertThrows(IllegalArgumentException.class, () -> AcpiTables.build(AcpiTables.MAX_VCPUS, Dsdt.microVm().with(big))),
                "more than the 131072 of their window at 0xe0000: give a smaller DSDT");
        assertTrue(AcpiTables.build(1, Dsdt.microVm().with(big)).bytes().length < AcpiTables.WINDOW.size(), "with one vCPU it fits");
    }

    @Test
    void theWindowIsWhereTheLegacyScanLooksAndOverlapsNothingOfTheBoot() {
        AcpiTables tables = AcpiTables.build(AcpiTables.MAX_VCPUS);
        long rsdp = tables.rsdp().value();
        assertTrue(rsdp >= 0xe0000 && rsdp + Rsdp.SIZE <= 0x100000 && rsdp % 16 == 0, "Linux scans 0xE0000-0xFFFFF on 16-byte boundaries");
        assertEquals(AcpiTables.WINDOW.start(), tables.address());
        assertTrue(tables.address().value() + tables.bytes().length <= AcpiTables.WINDOW.end().value(), "the largest tables fit");
        // LinuxBoot: zero page, stack and page tables below 0x10000, the command line up to the MP table, the MP table up to 0xA0000, the kernel from 1 MiB.
        long mpTableEnd = LinuxBoot.MP_TABLE.value() + 1024;
        assertTrue(AcpiTables.WINDOW.start().value() >= mpTableEnd, "after the MP table");
        assertTrue(AcpiTables.WINDOW.end().value() <= LinuxBoot.HIGH_MEMORY.value(), "below the kernel, which loads at 1 MiB or above");
        assertTrue(LinuxBoot.COMMAND_LINE.value() < LinuxBoot.MP_TABLE.value() && LinuxBoot.PAGE_TABLES.value() < LinuxBoot.COMMAND_LINE.value());
        LinuxBoot.memoryRanges(16L << 20).forEach(r -> assertTrue(r.start().value() <= AcpiTables.WINDOW.start().value()
                && r.end().value() >= AcpiTables.WINDOW.end().value(), "guest RAM backs the window even in the smallest guest"));
    }

    @Test
    void tablesAreTheSameForTheSameInputs() {
        assertEquals(HexFormat.of().formatHex(AcpiTables.build(3).bytes()), HexFormat.of().formatHex(AcpiTables.build(3).bytes()));
    }

    /** Checks the header at {@code address}: signature, revision, OEM ID, and a checksum over the length it claims; returns that length. */
    private static int checkedTable(Guest guest, long address, String signature, int revision) {
        assertEquals(signature, guest.ascii(address, 4));
        ByteBuffer header = guest.at(address, 36);
        int length = header.getInt(4);
        assertEquals(revision, header.get(8), signature + " revision");
        assertEquals(0, sum(guest, address, length), signature + " checksum over its " + length + " bytes");
        assertEquals(DescriptionTable.OEM_ID, guest.ascii(address + 10, 6));
        assertEquals(DescriptionTable.OEM_TABLE_ID, guest.ascii(address + 16, 8));
        return length;
    }

    private static int sum(Guest guest, long address, int length) {
        ByteBuffer b = guest.at(address, length);
        int sum = 0;
        while (b.hasRemaining()) {
            sum += b.get();
        }
        return sum & 0xff;
    }

    /** Guest physical memory holding only the tables, read by address as the guest would. */
    private record Guest(long base, byte[] bytes) {
        Guest(AcpiTables tables) {
            this(tables.address().value(), tables.bytes());
        }

        ByteBuffer at(long address, int length) {
            long offset = address - base;
            if (offset < 0 || offset + length > bytes.length) {
                throw new AssertionError("0x" + Long.toHexString(address) + " + " + length + " is outside the tables");
            }
            return ByteBuffer.wrap(bytes, (int) offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        String ascii(long address, int length) {
            ByteBuffer b = at(address, length);
            byte[] text = new byte[length];
            b.get(text);
            return new String(text, StandardCharsets.US_ASCII);
        }
    }
}
