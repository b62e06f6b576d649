// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AML builder's typed inputs: compressed EISA IDs worked out by hand, and every bad input refused in one sentence. */
class AmlInputsTest {
    /** {@code e} has a message of one line, one sentence ending in a period, that starts with or contains {@code expected}. */
    static void assertOneSentence(Throwable e, String expected) {
        String message = e.getMessage();
        assertTrue(message != null && message.contains(expected), "'" + message + "' should say '" + expected + "'");
        assertTrue(message.endsWith(".") && !message.contains("\n"), "'" + message + "' should be one sentence on one line");
    }

    private static void refused(Executable call, String expected) {
        assertOneSentence(assertThrows(IllegalArgumentException.class, call), expected);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "PNP0501, 0x0105D041", // P=16, N=14, P=16: 0100 0001 1101 0000 = 0x41D0, then 0x0501; bytes swapped
            "PNP0C09, 0x090CD041",
            "PNP0B00, 0x000BD041",
            "AAA0000, 0x00002104", // A=1 in each 5-bit field: 0x0421, then 0x0000: 0x04210000, bytes swapped
            "ZZZFFFF, 0xFFFF5A6B", // Z=26: 0110 1011 0101 1010 = 0x6B5A
    })
    void eisaIdsCompressAsTheSpecificationSays(String id, String expected) {
        assertEquals(Long.decode(expected), EisaId.compress(id));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "PNP050", "PNP05011", "pnp0501", "PNP050g", "P1P0501", "@@@0000", "PNP-501"})
    void badEisaIdsAreOneSentence(String id) {
        refused(() -> Aml.eisaId(id), "is not three capital letters and four hex digits");
    }

    @Test
    void stringsHoldOnlyAsciiWithoutNul() {
        refused(() -> Aml.string("a\0b"), "has 0x0 at index 1");
        refused(() -> Aml.string("caf\u00e9"), "has 0xe9 at index 3");
        assertEquals("0d 7f 00", Aml.string("\u007f").toString());
    }

    @Test
    void packagesHoldAtMost255Elements() {
        Aml.Data[] elements = new Aml.Data[256];
        Arrays.fill(elements, Aml.integer(0));
        refused(() -> Aml.packageOf(elements), "at most 255 elements, not 256");
        assertEquals(255, Aml.packageOf(Arrays.copyOf(elements, 255)).encode()[3] & 0xff); // 12, 2-byte PkgLength, count
    }

    @Test
    void methodsTakeZeroToSevenArguments() {
        refused(() -> Aml.method("FOO", 8, false), "0 to 7 arguments, not 8");
        refused(() -> Aml.method("FOO", -1, false), "0 to 7 arguments, not -1");
        refused(() -> Aml.method("foo", 0, false), "ACPI name segment 'foo'");
        refused(() -> Aml.device("", Aml.name("_HID", Aml.integer(1))), "ACPI name is empty");
        refused(() -> Aml.scope("\\_SB.", Aml.name("X", Aml.integer(1))), "ACPI name segment ''");
        refused(() -> Aml.name("NAME5", Aml.integer(1)), "ACPI name segment 'NAME5'");
    }

    @Test
    void resourceDescriptorsCheckTheirFields() {
        refused(() -> Resource.io(0x10000, 0x10000, 0, 1), "I/O port minimum 65536 is outside 0 to 65535");
        refused(() -> Resource.io(0x3f8, 0x2f8, 0, 8), "I/O port minimum 0x3f8 is above the maximum 0x2f8");
        refused(() -> Resource.io(0x3f8, 0x3f8, 0, 256), "I/O port range length 256 is outside 0 to 255");
        refused(() -> Resource.io(0x3f8, 0x3f8, 0x100, 8), "I/O port alignment 256 is outside 0 to 255");
        refused(() -> Resource.io(0x3f8, 0x3f9, 8, 8), "must be multiples of the alignment 0x8");
        refused(() -> Resource.irqNoFlags(), "lists no IRQ");
        refused(() -> Resource.irqNoFlags(16), "ISA IRQ 16 is outside 0 to 15");
        refused(() -> Resource.irqNoFlags(4, 4), "ISA IRQ 4 is listed twice");
        refused(() -> Resource.interrupt(Resource.Trigger.EDGE, Resource.Polarity.ACTIVE_HIGH, false), "1 to 255 interrupts, not 0");
        refused(() -> Resource.interrupt(Resource.Trigger.EDGE, Resource.Polarity.ACTIVE_HIGH, false, new long[256]), "1 to 255 interrupts, not 256");
        refused(() -> Resource.interrupt(Resource.Trigger.EDGE, Resource.Polarity.ACTIVE_HIGH, false, 1L << 32), "Interrupt 4294967296 is outside 0 to 0xFFFFFFFF");
        refused(() -> Resource.memory32Fixed(true, 0xffff_f000L, 0x2000), "does not fit below 4 GiB");
        refused(() -> Resource.memory32Fixed(true, -1, 1), "does not fit below 4 GiB");
        assertEquals(12, Resource.memory32Fixed(true, 0xffff_f000L, 0x1000).encode().length); // up to 4 GiB exactly
    }

    @Test
    void integersTakeTheShortestPrefix() {
        assertEquals("00", Aml.integer(0).toString());
        assertEquals("01", Aml.integer(1).toString());
        assertEquals("ff", Aml.integer(-1).toString());
        assertEquals("0a ff", Aml.integer(0xff).toString());
        assertEquals("0b 00 01", Aml.integer(0x100).toString());
        assertEquals("0c 00 00 01 00", Aml.integer(0x1_0000).toString());
        assertEquals("0e 00 00 00 00 01 00 00 00", Aml.integer(0x1_0000_0000L).toString());
        assertEquals("0e fe ff ff ff ff ff ff ff", Aml.integer(-2).toString());
    }
}
