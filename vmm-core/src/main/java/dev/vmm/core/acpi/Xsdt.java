// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Extended System Description Table (ACPI 6.3, 5.2.8): the 64-bit addresses of every other
 * table but the DSDT, which the FADT points at.
 */
final class Xsdt {
    static final String SIGNATURE = "XSDT";
    static final int REVISION = 1;

    private Xsdt() {}

    /** How many bytes an XSDT of {@code entries} pointers takes. */
    static int size(int entries) {
        return DescriptionTable.HEADER_SIZE + 8 * entries;
    }

    /** The XSDT listing the tables at {@code tableAddresses}. */
    static byte[] build(long... tableAddresses) {
        ByteBuffer body = ByteBuffer.allocate(8 * tableAddresses.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long address : tableAddresses) {
            body.putLong(address);
        }
        return DescriptionTable.assemble(SIGNATURE, REVISION, body.array());
    }
}
