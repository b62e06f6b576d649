// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.io.ByteArrayOutputStream;

/**
 * The PkgLength that starts every AML package (Scope, Device, Method, Package, Buffer): the length
 * of the package from the PkgLength's own first byte to its end (ACPI 6.3, 20.2.4). One byte holds
 * up to 63; beyond that, the lead byte's top two bits count 1 to 3 following bytes, its low nibble
 * holds the lowest 4 bits and each following byte the next 8. Because the length counts its own
 * bytes, the size chosen depends on the body plus the PkgLength itself: a body of 62 bytes takes
 * one byte (63), a body of 63 takes two (65).
 */
final class PkgLength {
    /** The largest value 28 bits hold; the ASL compiler refuses anything longer. */
    private static final int MAX_VALUE = 0x0fff_ffff;
    /** The longest body a package can have: the 4-byte form counts its own 4 bytes. */
    static final int MAX_BODY = MAX_VALUE - 4;

    private PkgLength() {}

    /**
     * The PkgLength bytes for a package whose body (everything after the PkgLength) is
     * {@code bodyLength} bytes, in the shortest form that holds it.
     *
     * @throws IllegalArgumentException when the body is negative or longer than {@link #MAX_BODY}
     */
    static byte[] encode(int bodyLength) {
        if (bodyLength < 0 || bodyLength > MAX_BODY) {
            throw new IllegalArgumentException("An AML package body of " + bodyLength + " bytes does not fit a PkgLength, which counts at most "
                    + MAX_BODY + ": split the package.");
        }
        if (bodyLength + 1 <= 0x3f) {
            return new byte[] {(byte) (bodyLength + 1)};
        }
        int following = bodyLength + 2 <= 0xfff ? 1 : bodyLength + 3 <= 0xf_ffff ? 2 : 3;
        int value = bodyLength + 1 + following;
        byte[] bytes = new byte[1 + following];
        bytes[0] = (byte) (following << 6 | (value & 0x0f));
        for (int i = 1; i <= following; i++) {
            bytes[i] = (byte) (value >>> (4 + 8 * (i - 1)));
        }
        return bytes;
    }

    /** Writes {@code body} to {@code out} as a package: its PkgLength, then the body. */
    static void writePackage(ByteArrayOutputStream out, byte[] body) {
        out.writeBytes(encode(body.length));
        out.writeBytes(body);
    }
}
