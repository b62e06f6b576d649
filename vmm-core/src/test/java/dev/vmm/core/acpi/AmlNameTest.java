// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Name paths against the grammar (ACPI 6.3, 20.2.2): NameSeg is a lead character (A-Z, _) and
 * three more (A-Z, 0-9, _); RootChar 0x5C, ParentPrefixChar 0x5E, DualNamePrefix 0x2E,
 * MultiNamePrefix 0x2F with a segment count, NullName 0x00. Expected bytes worked out by hand;
 * {@link AmlGoldenTest} compiles the same shapes with iasl.
 */
class AmlNameTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "_HID         | 5f 48 49 44             | _HID",
            "A            | 41 5f 5f 5f             | A___",
            "RTC          | 52 54 43 5f             | RTC_",
            "S5           | 53 35 5f 5f             | S5__",
            "\\           | 5c 00                   | \\",
            "^            | 5e 00                   | ^",
            "\\_SB        | 5c 5f 53 42 5f          | \\_SB_",
            "\\_SB.COM1   | 5c 2e 5f 53 42 5f 43 4f 4d 31 | \\_SB_.COM1",
            "^^FOO        | 5e 5e 46 4f 4f 5f       | ^^FOO_",
            "A.B.C        | 2f 03 41 5f 5f 5f 42 5f 5f 5f 43 5f 5f 5f | A___.B___.C___",
            "_SB.PCI0     | 2e 5f 53 42 5f 50 43 49 30 | _SB_.PCI0",
    })
    void encodesByTheGrammar(String path, String bytes, String text) {
        AmlName name = AmlName.of(path);
        assertEquals(bytes, HEX.formatHex(name.encode()));
        assertEquals(text, name.toString());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "ABCDE", "1ABC", "_hid", "A-B", "A..B", "A.", ".A", "\\\\A", "^\\A", "\\^A", "A^", "A B", "É"})
    void badNamesAreOneSentence(String path) {
        AmlInputsTest.assertOneSentence(assertThrows(IllegalArgumentException.class, () -> AmlName.of(path)), "ACPI name");
    }

    @ParameterizedTest(name = "{0} segments")
    @ValueSource(ints = {3, 255})
    void multiNamePathsCountTheirSegments(int segments) {
        String path = "A" + ".A".repeat(segments - 1);
        byte[] encoded = AmlName.of(path).encode();
        assertEquals(2 + 4 * segments, encoded.length);
        assertEquals(0x2f, encoded[0]);
        assertEquals(segments, encoded[1] & 0xff);
    }

    @ParameterizedTest(name = "{0} segments")
    @ValueSource(ints = {256, 1000})
    void pathsBeyond255SegmentsAreOneSentence(int segments) {
        String path = "A" + ".A".repeat(segments - 1);
        AmlInputsTest.assertOneSentence(assertThrows(IllegalArgumentException.class, () -> AmlName.of(path)), "segments, more than the 255");
    }
}
