// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

/**
 * A compressed EISA ID, the 32-bit form of a PNP ID such as {@code PNP0501} that {@code _HID}
 * holds (ACPI 6.3, 19.6.35 "EISAID"): the three letters in 5 bits each (A is 1), then the four
 * hex digits, stored with the bytes in the order the EISA bus read them, so the integer is
 * byte-swapped. {@code PNP0501} is 0x0105D041, written 41 D0 05 01.
 */
final class EisaId {
    private EisaId() {}

    /**
     * The compressed ID of {@code id}.
     *
     * @throws IllegalArgumentException unless {@code id} is three capital letters and four hex digits
     */
    static long compress(String id) {
        if (!id.matches("[A-Z]{3}[0-9A-F]{4}")) {
            throw new IllegalArgumentException("EISA ID '" + id + "' is not three capital letters and four hex digits, such as PNP0501.");
        }
        int letters = (id.charAt(0) - '@') << 10 | (id.charAt(1) - '@') << 5 | (id.charAt(2) - '@');
        int value = letters << 16 | Integer.parseInt(id.substring(3), 16);
        return Integer.toUnsignedLong(Integer.reverseBytes(value));
    }
}
