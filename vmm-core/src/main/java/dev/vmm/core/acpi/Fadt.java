// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Fixed ACPI Description Table (signature FACP; ACPI 6.3, 5.2.9), revision 6.3, for the
 * hardware-reduced profile.
 *
 * <p>Why hardware-reduced (flag HW_REDUCED_ACPI): the full profile needs fixed hardware this VMM
 * does not have and should not grow: PM1 event and control blocks, a PM timer, GPE blocks, an SCI
 * interrupt with its enable/disable handshake through SMI_CMD, and a FACS. The reduced profile
 * replaces all of them with two byte registers (sleep control and status, here one I/O port, see
 * {@link PowerRegister}) that a guest writes to power off. Firecracker and Cloud Hypervisor describe
 * their microVMs the same way, and Linux supports it on x86 (it then also leaves the PIT and the
 * 8259 PIC alone and uses the LAPIC timer and the I/O APIC).
 *
 * <p>What is set: X_DSDT (and not the 32-bit DSDT field, which must then be zero), the reset
 * register on the same port, IA-PC boot flags saying that legacy devices and an 8042 exist and
 * VGA does not, the C2/C3 latencies that mean "none", and the CMOS century index of
 * {@code RtcCmos} (Linux reads it to set the clock whatever the profile). The rest of what
 * describes fixed hardware (SCI, SMI command, PM1, PM2, PM timer and GPE blocks, their 64-bit
 * forms) is zero, and there is no FACS (allowed in this profile when both its addresses are zero).
 */
final class Fadt {
    static final String SIGNATURE = "FACP";
    static final int REVISION = 6;
    static final int MINOR_REVISION = 3;
    static final int SIZE = 276;

    // Field offsets, as the specification's table 5.9 numbers them.
    static final int P_LVL2_LAT = 96;
    static final int P_LVL3_LAT = 98;
    static final int CENTURY = 108;
    static final int IAPC_BOOT_ARCH = 109;
    static final int FLAGS = 112;
    static final int RESET_REG = 116;
    static final int RESET_VALUE = 128;
    static final int FADT_MINOR_VERSION = 131;
    static final int X_DSDT = 140;
    static final int SLEEP_CONTROL_REG = 244;
    static final int SLEEP_STATUS_REG = 256;
    static final int HYPERVISOR_VENDOR_ID = 268;

    // Flags.
    static final int WBINVD = 1;                    // WBINVD flushes caches, as on any x86 CPU
    static final int PROC_C1 = 1 << 2;              // C1 (HLT) works on every CPU
    static final int PWR_BUTTON = 1 << 4;           // no fixed-feature power button
    static final int SLP_BUTTON = 1 << 5;           // no fixed-feature sleep button
    static final int RESET_REG_SUP = 1 << 10;       // the reset register works
    static final int HW_REDUCED_ACPI = 1 << 20;

    // IA-PC boot architecture flags.
    static final int LEGACY_DEVICES = 1;            // ISA-style devices: UART, RTC, i8042
    static final int HAS_8042 = 1 << 1;             // so Linux probes the i8042 even without its PNP entry
    static final int VGA_NOT_PRESENT = 1 << 2;      // nothing at 0x3c0 or 0xa0000: do not probe

    /** CMOS register holding the century, as RtcCmos keeps it. */
    static final int CMOS_CENTURY_INDEX = 0x32;
    /** C2 and C3 latencies above 100 and 1000 us mean "not supported" (there is no P_LVL2/3 port). */
    static final int NO_C2 = 101;
    static final int NO_C3 = 1001;

    private static final int SYSTEM_IO = 1;
    private static final int BYTE_ACCESS = 1;

    private Fadt() {}

    /** The FADT for a DSDT at {@code dsdtAddress}. */
    static byte[] build(long dsdtAddress) {
        ByteBuffer body = ByteBuffer.allocate(SIZE - DescriptionTable.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        body.putShort(at(P_LVL2_LAT), (short) NO_C2)
                .putShort(at(P_LVL3_LAT), (short) NO_C3)
                .put(at(CENTURY), (byte) CMOS_CENTURY_INDEX)
                .putShort(at(IAPC_BOOT_ARCH), (short) (LEGACY_DEVICES | HAS_8042 | VGA_NOT_PRESENT))
                .putInt(at(FLAGS), WBINVD | PROC_C1 | PWR_BUTTON | SLP_BUTTON | RESET_REG_SUP | HW_REDUCED_ACPI)
                .put(at(RESET_VALUE), (byte) PowerRegister.RESET_VALUE)
                .put(at(FADT_MINOR_VERSION), (byte) MINOR_REVISION)
                .putLong(at(X_DSDT), dsdtAddress)
                .put(at(HYPERVISOR_VENDOR_ID), DescriptionTable.ascii("VMMJAVA ", 8));
        putIoPort(body, at(RESET_REG), PowerRegister.PORT);
        putIoPort(body, at(SLEEP_CONTROL_REG), PowerRegister.PORT);
        putIoPort(body, at(SLEEP_STATUS_REG), PowerRegister.PORT);
        return DescriptionTable.assemble(SIGNATURE, REVISION, body.array());
    }

    /** A Generic Address Structure (5.2.3.2) for one byte register at an I/O port. */
    private static void putIoPort(ByteBuffer body, int offset, int port) {
        body.put(offset, (byte) SYSTEM_IO).put(offset + 1, (byte) 8).put(offset + 2, (byte) 0).put(offset + 3, (byte) BYTE_ACCESS)
                .putLong(offset + 4, port);
    }

    /** A table offset as an offset into the body, which starts after the header. */
    private static int at(int tableOffset) {
        return tableOffset - DescriptionTable.HEADER_SIZE;
    }
}
