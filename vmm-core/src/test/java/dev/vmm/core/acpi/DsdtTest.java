// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The microVM's DSDT against iasl: it must be byte for byte what iasl compiles from the ASL below
 * (written by hand from what MicroVmDevices has), and iasl must disassemble the whole table, as
 * {@link AcpiTables} places it, without a complaint and back to the same AML.
 */
@RequiresIasl
class DsdtTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    /** The devices of MicroVmDevices, and soft off through the power register's sleep type 5. */
    static final String MICROVM_ASL = """
            Name (_S5, Package () {5, 0, 0, 0})
            Scope (\\_SB)
            {
                Device (COM1)
                {
                    Name (_HID, EisaId ("PNP0501"))
                    Name (_UID, 1)
                    Name (_CRS, ResourceTemplate () {
                        IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08)
                        IRQNoFlags () {4}
                    })
                }
                Device (RTC)
                {
                    Name (_HID, EisaId ("PNP0B00"))
                    Name (_CRS, ResourceTemplate () {
                        IO (Decode16, 0x0070, 0x0070, 0x00, 0x02)
                        IRQNoFlags () {8}
                    })
                }
                Device (KBD)
                {
                    Name (_HID, EisaId ("PNP0303"))
                    Name (_CRS, ResourceTemplate () {
                        IO (Decode16, 0x0060, 0x0060, 0x00, 0x01)
                        IO (Decode16, 0x0064, 0x0064, 0x00, 0x01)
                        IRQNoFlags () {1}
                    })
                }
            }
            """;

    @Test
    void theMicroVmDsdtIsWhatIaslCompilesFromItsAsl() {
        assertEquals(HEX.formatHex(Iasl.compileBody(MICROVM_ASL)), HEX.formatHex(Dsdt.microVm().aml()));
    }

    @Test
    void theWholeDsdtDisassemblesCleanlyBackToTheSameAml() {
        AcpiTables tables = AcpiTables.build(2);
        byte[] table = tables.slice(tables.dsdt(), Dsdt.microVm().table().length);
        Iasl.Disassembly asl = Iasl.disassemble(table);
        assertTrue(asl.log().contains("Disassembly completed"), asl::toString);
        for (String complaint : new String[] {"Error", "Warning", "Invalid", "Incorrect", "Unknown", "****"}) {
            assertFalse(asl.toString().contains(complaint), () -> "iasl says '" + complaint + "':\n" + asl);
        }
        for (String expected : new String[] {"DefinitionBlock (\"\", \"DSDT\", 2, \"VMMJAV\", \"VMMJAVA \", 0x00000001)",
                "Name (_S5, Package (0x04)", "Device (COM1)", "EisaId (\"PNP0501\")", "Device (RTC)", "EisaId (\"PNP0B00\")",
                "Device (KBD)", "EisaId (\"PNP0303\")", "0x03F8,", "{4}", "{8}", "{1}"}) {
            assertTrue(asl.text().contains(expected), () -> "the disassembly lacks '" + expected + "':\n" + asl.text());
        }
        String body = asl.text().substring(asl.text().indexOf('{', asl.text().indexOf("DefinitionBlock")) + 1, asl.text().lastIndexOf('}'));
        assertEquals(HEX.formatHex(Arrays.copyOfRange(table, DescriptionTable.HEADER_SIZE, table.length)), HEX.formatHex(Iasl.compileBody(body)),
                "recompiling the disassembly");
    }

    @Test
    void virtioMmioDevicesAreWhatIaslCompilesAndDisassembleCleanly() {
        String asl = """
                Scope (\\_SB)
                {
                    Device (V000)
                    {
                        Name (_HID, "LNRO0005")
                        Name (_UID, Zero)
                        Name (_CRS, ResourceTemplate () {
                            Memory32Fixed (ReadWrite, 0xD0000000, 0x00000200)
                            Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) {5}
                        })
                    }
                    Device (V01F)
                    {
                        Name (_HID, "LNRO0005")
                        Name (_UID, 0x1F)
                        Name (_CRS, ResourceTemplate () {
                            Memory32Fixed (ReadWrite, 0xD001F000, 0x00000200)
                            Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) {23}
                        })
                    }
                }
                """;
        Aml ours = Aml.scope("\\_SB", Dsdt.virtioMmio(0, 0xd000_0000L, 0x200, 5), Dsdt.virtioMmio(0x1f, 0xd001_f000L, 0x200, 23));
        assertEquals(HEX.formatHex(Iasl.compileBody(asl)), HEX.formatHex(Dsdt.of(ours).aml()));
        Iasl.Disassembly disassembly = Iasl.disassemble(Dsdt.microVm().with(ours).table());
        assertTrue(disassembly.log().contains("Disassembly completed") && !disassembly.toString().contains("Error")
                && !disassembly.toString().contains("Warning"), disassembly::toString);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Dsdt.virtioMmio(0x1000, 0, 0x200, 5)).getMessage()
                .startsWith("A virtio-mmio device index is 0 to 4095"));
    }

    @Test
    void theOracleNoticesABadChecksum() {
        byte[] table = Dsdt.microVm().table();
        table[DescriptionTable.CHECKSUM_OFFSET]++;
        assertTrue(Iasl.disassemble(table).toString().contains("Incorrect checksum"), "iasl would let a wrong checksum pass, and the test above prove nothing");
    }
}
