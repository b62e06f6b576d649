// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Root System Description Pointer (ACPI 6.3, 5.2.5.3), where the guest's search for ACPI
 * begins: revision 2, pointing at the XSDT only. It has two checksums: the first covers the 20
 * bytes ACPI 1.0 defined, the extended one all 36.
 *
 * <p>There is no RSDT (its 32-bit address is zero): every kernel that reads revision 2 takes the
 * XSDT, and one table of pointers cannot disagree with another.
 */
final class Rsdp {
    static final int SIZE = 36;
    static final String SIGNATURE = "RSD PTR ";
    static final int REVISION = 2;
    /** The bytes the first checksum covers, those of ACPI 1.0. */
    static final int V1_SIZE = 20;
    static final int CHECKSUM_OFFSET = 8;
    static final int XSDT_ADDRESS_OFFSET = 24;
    static final int EXTENDED_CHECKSUM_OFFSET = 32;

    private Rsdp() {}

    /** The RSDP for an XSDT at {@code xsdtAddress}. */
    static byte[] build(long xsdtAddress) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(DescriptionTable.ascii(SIGNATURE, 8)).put((byte) 0).put(DescriptionTable.ascii(DescriptionTable.OEM_ID, 6))
                .put((byte) REVISION).putInt(0) // no RSDT
                .putInt(SIZE).putLong(xsdtAddress).put((byte) 0).put(new byte[3]);
        byte[] bytes = b.array();
        bytes[CHECKSUM_OFFSET] = DescriptionTable.checksum(bytes, 0, V1_SIZE);
        bytes[EXTENDED_CHECKSUM_OFFSET] = DescriptionTable.checksum(bytes, 0, SIZE);
        return bytes;
    }
}
