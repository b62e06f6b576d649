// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * PkgLength against the encoding worked out by hand from the specification (ACPI 6.3, 20.2.4):
 * the value counts its own bytes; one byte holds 0 to 63; otherwise bits 7-6 of the lead byte
 * count the following bytes, bits 3-0 hold the value's low nibble, and each following byte the
 * next 8 bits. {@link AmlGoldenTest} checks the same boundaries against iasl.
 */
class PkgLengthTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    @ParameterizedTest(name = "a body of {0} bytes: {1}")
    @CsvSource({
            "0,       01",            // the value 1: the PkgLength byte alone
            "62,      3f",            // 63, the most one byte holds
            "63,      41 04",         // 65 = 0x041: 64 cannot occur, a 2-byte PkgLength counts itself twice
            "4093,    4f ff",         // 4095 = 0xfff, the most two bytes hold
            "4094,    81 00 01",      // 4097 = 0x1001
            "1048572, 8f ff ff",      // 0xfffff, the most three bytes hold
            "1048573, c1 00 00 01",   // 0x100001
            "268435451, cf ff ff ff", // 0xfffffff, the most four bytes hold
    })
    void takesTheShortestFormThatHoldsTheBodyAndItself(int body, String expected) {
        assertEquals(expected, HEX.formatHex(PkgLength.encode(body)));
    }

    @Test
    void everyLengthDecodesBackToBodyPlusItself() {
        for (int body = 0; body < 70_000; body++) {
            checkRoundTrip(body);
        }
        for (int body = PkgLength.MAX_BODY - 70_000; body <= PkgLength.MAX_BODY; body++) {
            checkRoundTrip(body);
        }
    }

    private static void checkRoundTrip(int body) {
        byte[] encoded = PkgLength.encode(body);
        int following = (encoded[0] & 0xff) >>> 6;
        assertEquals(following + 1, encoded.length, "byte count for " + body);
        int value = following == 0 ? encoded[0] & 0x3f : encoded[0] & 0x0f;
        for (int i = 1; i <= following; i++) {
            value |= (encoded[i] & 0xff) << (4 + 8 * (i - 1));
        }
        assertEquals(body + encoded.length, value, "value for a body of " + body);
        int shortest = body + 1 <= 0x3f ? 1 : body + 2 <= 0xfff ? 2 : body + 3 <= 0xf_ffff ? 3 : 4;
        assertEquals(shortest, encoded.length, "the shortest form for " + body);
        if (following > 0) {
            assertEquals(0, encoded[0] & 0x30, "bits 5-4 of a multi-byte lead are reserved zero, for " + body);
        }
    }

    @Test
    void aBodyTooLongForFourBytesIsOneSentence() {
        AmlInputsTest.assertOneSentence(assertThrows(IllegalArgumentException.class, () -> PkgLength.encode(PkgLength.MAX_BODY + 1)),
                "An AML package body of 268435452 bytes does not fit a PkgLength");
        AmlInputsTest.assertOneSentence(assertThrows(IllegalArgumentException.class, () -> PkgLength.encode(-1)), "An AML package body of -1 bytes");
    }
}
