// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An Ethernet (EUI-48) address: six bytes, written {@code 02:00:00:00:00:01}. The first byte's
 * low bit marks a multicast address, the next a locally administered one (not from a vendor's
 * range).
 */
public final class MacAddress {
    /** The bytes of an address. */
    public static final int LENGTH = 6;

    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * {@return the address of these six bytes}
     *
     * @param bytes the address, most significant byte first
     * @throws IllegalArgumentException when there are not six
     */
    public static MacAddress of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("A MAC address has 6 bytes, not " + bytes.length + ".");
        }
        return new MacAddress(bytes.clone());
    }

    /**
     * {@return the address written as six hexadecimal bytes separated by colons or dashes}
     *
     * @param text such as {@code 02:00:00:00:00:01}
     * @throws IllegalArgumentException when {@code text} is not written so
     */
    public static MacAddress parse(String text) {
        String[] parts = text.split("[:-]", -1);
        byte[] bytes = new byte[LENGTH];
        boolean valid = parts.length == LENGTH;
        for (int i = 0; valid && i < LENGTH; i++) {
            valid = parts[i].length() == 2 && HexFormat.isHexDigit(parts[i].charAt(0)) && HexFormat.isHexDigit(parts[i].charAt(1));
            if (valid) {
                bytes[i] = (byte) HexFormat.fromHexDigits(parts[i]);
            }
        }
        if (!valid) {
            String shown = text.replaceAll("\\p{Cntrl}", "?"); // one line, whatever the text held
            throw new IllegalArgumentException("\"" + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown)
                    + "\" is not a MAC address: write six hexadecimal bytes separated by colons, such as 02:00:00:00:00:01.");
        }
        return new MacAddress(bytes);
    }

    /** {@return a random locally administered unicast address: no vendor's, and unlikely to meet another} */
    public static MacAddress randomLocal() {
        byte[] bytes = new byte[LENGTH];
        ThreadLocalRandom.current().nextBytes(bytes);
        bytes[0] = (byte) (bytes[0] & ~1 | 2); // unicast, locally administered
        return new MacAddress(bytes);
    }

    /** {@return a copy of the six bytes} */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** {@return whether this is a multicast (or broadcast) address, which no interface may have as its own} */
    public boolean isMulticast() {
        return (bytes[0] & 1) != 0;
    }

    /** {@return whether this is a locally administered address rather than one from a vendor's range} */
    public boolean isLocallyAdministered() {
        return (bytes[0] & 2) != 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MacAddress mac && Arrays.equals(bytes, mac.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** {@return the address as six lower-case hexadecimal bytes separated by colons} */
    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
