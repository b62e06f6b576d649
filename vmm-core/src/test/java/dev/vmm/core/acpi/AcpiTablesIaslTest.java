// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tables as iasl reads them. iasl disassembles each one (its checksum checked, every field
 * decoded by name) and compiles the disassembly back to the same bytes; the RSDP, which iasl does
 * not disassemble from a file, is compiled from its fields, iasl computing both checksums.
 */
@RequiresIasl
class AcpiTablesIaslTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
    /** Where iasl puts its own name and version when it compiles a table: left out of the comparison, with the checksum. */
    private static final int CREATOR_FIELDS = 28, CREATOR_FIELDS_END = 36;

    @Test
    void theRsdpIsWhatIaslCompilesFromItsFields() {
        AcpiTables tables = AcpiTables.build(2);
        String source = String.format(Locale.ROOT, """
                [0008]                          Signature : "RSD PTR "
                [0001]                           Checksum : 00
                [0006]                             Oem ID : "VMMJAV"
                [0001]                           Revision : 02
                [0004]                       RSDT Address : 00000000
                [0004]                             Length : 00000024
                [0008]                       XSDT Address : %016X
                [0001]                  Extended Checksum : 00
                [0003]                           Reserved : 000000
                """, tables.xsdt().value());
        assertEquals(HEX.formatHex(Iasl.compileDataTable(source)), HEX.formatHex(tables.slice(tables.rsdp(), Rsdp.SIZE)));
    }

    @ParameterizedTest(name = "{0} vCPUs")
    @ValueSource(ints = {1, 2, 256})
    void theXsdtFadtAndMadtDisassembleAndCompileBack(int vcpus) {
        AcpiTables tables = AcpiTables.build(vcpus);

        String xsdt = cleanRoundTrip(tables.slice(tables.xsdt(), Xsdt.size(2)));
        assertEquals(String.format(Locale.ROOT, "%016X", tables.fadt().value()), field(xsdt, "ACPI Table Address   0"));
        assertEquals(String.format(Locale.ROOT, "%016X", tables.madt().value()), field(xsdt, "ACPI Table Address   1"));

        String fadt = cleanRoundTrip(tables.slice(tables.fadt(), Fadt.SIZE));
        assertEquals("06", field(fadt, "Revision"));
        assertEquals("03", field(fadt, "FADT Minor Revision"));
        assertEquals("1", field(fadt, "Hardware Reduced (V5)"));
        assertEquals("1", field(fadt, "Reset Register Supported (V2)"));
        assertEquals("1", field(fadt, "8042 Present on ports 60/64 (V2)"));
        assertEquals("1", field(fadt, "VGA Not Present (V4)"));
        assertEquals("0", field(fadt, "CMOS RTC Not Present (V5)"));
        assertEquals("00000000", field(fadt, "FACS Address"));
        assertEquals(String.format(Locale.ROOT, "%016X", tables.dsdt().value()), fields(fadt, "DSDT Address")[1], "X_DSDT");
        assertEquals("00000000", fields(fadt, "DSDT Address")[0], "the 32-bit DSDT field");
        for (String register : new String[] {"Reset Register", "Sleep Control Register", "Sleep Status Register"}) {
            String gas = fadt.substring(fadt.indexOf(register));
            assertEquals("01 [SystemIO]", field(gas, "Space ID"), register);
            assertEquals("08", field(gas, "Bit Width"), register);
            assertEquals("01 [Byte Access:8]", field(gas, "Encoded Access Width"), register);
            assertEquals(String.format(Locale.ROOT, "%016X", PowerRegister.PORT), field(gas, "Address"), register);
        }
        assertEquals("01", field(fadt, "Value to cause reset"));

        String madt = cleanRoundTrip(tables.slice(tables.madt(), Madt.size(vcpus)));
        assertEquals("FEE00000", field(madt, "Local Apic Address"));
        assertEquals("1", field(madt, "PC-AT Compatibility"));
        assertEquals(Math.min(vcpus, 255), count(madt, "[Processor Local APIC]"));
        assertEquals(Math.max(vcpus - 255, 0), count(madt, "[Processor Local x2APIC]"));
        assertEquals(1, count(madt, "[I/O APIC]"));
        assertEquals("FEC00000", field(madt.substring(madt.indexOf("[I/O APIC]")), "Address"));
        assertEquals(1, count(madt, "[Local APIC NMI]"));
        assertEquals(vcpus > 255 ? 1 : 0, count(madt, "[Local x2APIC NMI]"));
        assertEquals(0, count(madt, "[Interrupt Source Override]"));
    }

    @Test
    void theOracleNoticesABadChecksum() {
        AcpiTables tables = AcpiTables.build(1);
        byte[] madt = tables.slice(tables.madt(), Madt.size(1));
        madt[Madt.ENTRIES_OFFSET + 3]++; // an APIC ID, after the checksum was computed
        assertTrue(Iasl.disassemble(madt).text().contains("Incorrect checksum"), "iasl would let a wrong checksum pass");
    }

    /**
     * Disassembles {@code table}, checks that iasl found nothing wrong, compiles the text back and
     * checks that it is {@code table} again (but for iasl's creator fields and so the checksum).
     */
    private static String cleanRoundTrip(byte[] table) {
        Iasl.Disassembly text = Iasl.disassemble(table);
        for (String complaint : new String[] {"Incorrect", "Invalid", "Error", "Warning", "Unknown", "****"}) {
            assertFalse(text.toString().contains(complaint), () -> "iasl says '" + complaint + "':\n" + text);
        }
        byte[] again = Iasl.compileDataTable(text.text());
        assertEquals(HEX.formatHex(withoutCreator(table)), HEX.formatHex(withoutCreator(again)), "recompiling the disassembly:\n" + text.text());
        return text.text();
    }

    private static byte[] withoutCreator(byte[] table) {
        byte[] copy = table.clone();
        copy[DescriptionTable.CHECKSUM_OFFSET] = 0;
        for (int i = CREATOR_FIELDS; i < CREATOR_FIELDS_END; i++) {
            copy[i] = 0;
        }
        return copy;
    }

    /** The value of the first field named {@code name} in iasl's {@code [offset] Name : value} lines. */
    private static String field(String text, String name) {
        String[] values = fields(text, name);
        assertTrue(values.length > 0, () -> "no field '" + name + "' in:\n" + text);
        return values[0];
    }

    private static String[] fields(String text, String name) {
        Matcher m = Pattern.compile("(?m)^(?:\\[[^]]*\\])?\\s*" + Pattern.quote(name) + " : (.*?)\\s*$").matcher(text);
        return m.results().map(r -> r.group(1)).toArray(String[]::new);
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }
}
