// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The 36-byte header every ACPI system description table starts with (ACPI 6.3, 5.2.6): signature,
 * length, revision, checksum, and the OEM and creator fields, which name this VMM. The length and
 * checksum are computed here from the finished body, so no table can carry a stale one.
 */
final class DescriptionTable {
    static final int HEADER_SIZE = 36;
    /** Offset of the checksum byte in the header. */
    static final int CHECKSUM_OFFSET = 9;
    /** Who made the platform (6 characters): this VMM. */
    static final String OEM_ID = "VMMJAV";
    /** Which platform (8 characters). The same for every table: each is told apart by its signature. */
    static final String OEM_TABLE_ID = "VMMJAVA ";
    static final int OEM_REVISION = 1;
    /** Who built the tables (4 characters): ASL compilers put their own ID here, and we built them. */
    static final String CREATOR_ID = "VMMJ";
    static final int CREATOR_REVISION = 1;

    private DescriptionTable() {}

    /** The table {@code signature} of {@code revision}: the header, then {@code body}, with length and checksum filled in. */
    static byte[] assemble(String signature, int revision, byte[] body) {
        ByteBuffer table = ByteBuffer.allocate(HEADER_SIZE + body.length).order(ByteOrder.LITTLE_ENDIAN);
        table.put(ascii(signature, 4)).putInt(HEADER_SIZE + body.length).put((byte) revision).put((byte) 0)
                .put(ascii(OEM_ID, 6)).put(ascii(OEM_TABLE_ID, 8)).putInt(OEM_REVISION)
                .put(ascii(CREATOR_ID, 4)).putInt(CREATOR_REVISION)
                .put(body);
        byte[] bytes = table.array();
        bytes[CHECKSUM_OFFSET] = checksum(bytes, 0, bytes.length);
        return bytes;
    }

    /** The byte that makes {@code length} bytes from {@code from} sum to zero (mod 256), given that it is zero among them now. */
    static byte checksum(byte[] bytes, int from, int length) {
        int sum = 0;
        for (int i = from; i < from + length; i++) {
            sum += bytes[i];
        }
        return (byte) -sum;
    }

    /** {@code text} as exactly {@code length} ASCII bytes; the constants here are written to fit. */
    static byte[] ascii(String text, int length) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length != length) {
            throw new IllegalStateException("ACPI field '" + text + "' is not " + length + " characters long.");
        }
        return bytes;
    }
}
