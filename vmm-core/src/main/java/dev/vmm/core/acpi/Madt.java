// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Multiple APIC Description Table (signature APIC; ACPI 6.3, 5.2.12), revision 5: where the
 * local APICs are, one entry per vCPU, and the I/O APIC.
 *
 * <ul>
 * <li>vCPU {@code i} has APIC ID {@code i} (as {@code GuestCpuid} sets it) and ACPI processor UID
 *     {@code i}. IDs below 255 get a Processor Local APIC entry, the others a Processor Local
 *     x2APIC entry: 255 is the xAPIC broadcast ID, and the specification asks for x2APIC entries
 *     from there on.
 * <li>The I/O APIC at {@link #IO_APIC_ADDRESS} has ID 0, what KVM's I/O APIC reports after reset,
 *     and serves GSIs 0 to 23 from base 0.
 * <li>No interrupt source overrides: KVM's default GSI routing wires ISA IRQ {@code n} to I/O APIC
 *     pin {@code n}, the in-kernel PIT included (IRQ 0 on pin 0, not pin 2 as on a PC chipset), and
 *     the MP table says the same. An IRQ0-to-GSI2 override would send an OS that uses the PIT to a
 *     pin nothing raises (Linux in the hardware-reduced profile does not use the PIT at all). ISA
 *     interrupts are edge-triggered and active-high, the bus default an override would only
 *     repeat, and the hardware-reduced profile has no SCI to route.
 * <li>NMIs arrive on LINT1 of every processor, as BootCpu wires it (and as the MP table says).
 * <li>Flag PCAT_COMPAT: KVM's in-kernel irqchip does include a pair of 8259 PICs (ExtINT on
 *     LINT0); an OS that uses the I/O APIC must mask them, and this flag tells it they exist.
 * </ul>
 */
final class Madt {
    static final String SIGNATURE = "APIC";
    static final int REVISION = 5;
    static final long LOCAL_APIC_ADDRESS = 0xfee0_0000L;
    static final long IO_APIC_ADDRESS = 0xfec0_0000L;
    static final int IO_APIC_ID = 0;
    static final int PCAT_COMPAT = 1;
    /** APIC IDs from here on need x2APIC entries. */
    static final int FIRST_X2APIC_ID = 255;
    /**
     * The most vCPUs the table describes: the most any x86 KVM creates (KVM_MAX_VCPUS is 1024, and
     * 4096 with CONFIG_MAXSMP). The VM's own limit, KVM_CAP_MAX_VCPUS, is checked where it is created.
     */
    static final int MAX_CPUS = 4096;

    static final int LOCAL_APIC = 0, IO_APIC = 1, LOCAL_APIC_NMI = 4, LOCAL_X2APIC = 9, LOCAL_X2APIC_NMI = 0x0a;
    static final int LOCAL_APIC_SIZE = 8, IO_APIC_SIZE = 12, LOCAL_APIC_NMI_SIZE = 6, LOCAL_X2APIC_SIZE = 16, LOCAL_X2APIC_NMI_SIZE = 12;
    /** After the header: the local APIC address and the flags. */
    static final int ENTRIES_OFFSET = DescriptionTable.HEADER_SIZE + 8;

    private static final int ENABLED = 1;
    private static final int LINT1 = 1;
    private static final int ALL_PROCESSORS = 0xff;
    private static final int ALL_X2APIC_PROCESSORS = 0xffff_ffff;

    private Madt() {}

    /**
     * How many bytes the MADT for {@code cpus} vCPUs takes.
     *
     * @throws IllegalArgumentException when {@code cpus} is outside 1 to {@link #MAX_CPUS}
     */
    static int size(int cpus) {
        check(cpus);
        int xapic = Math.min(cpus, FIRST_X2APIC_ID);
        int x2apic = cpus - xapic;
        return ENTRIES_OFFSET + xapic * LOCAL_APIC_SIZE + x2apic * LOCAL_X2APIC_SIZE + IO_APIC_SIZE
                + LOCAL_APIC_NMI_SIZE + (x2apic > 0 ? LOCAL_X2APIC_NMI_SIZE : 0);
    }

    /**
     * The MADT for {@code cpus} vCPUs, APIC IDs 0 to {@code cpus - 1}.
     *
     * @throws IllegalArgumentException when {@code cpus} is outside 1 to {@link #MAX_CPUS}
     */
    static byte[] build(int cpus) {
        ByteBuffer body = ByteBuffer.allocate(size(cpus) - DescriptionTable.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        body.putInt((int) LOCAL_APIC_ADDRESS).putInt(PCAT_COMPAT);
        for (int id = 0; id < cpus; id++) {
            if (id < FIRST_X2APIC_ID) {
                body.put((byte) LOCAL_APIC).put((byte) LOCAL_APIC_SIZE).put((byte) id).put((byte) id).putInt(ENABLED);
            } else {
                body.put((byte) LOCAL_X2APIC).put((byte) LOCAL_X2APIC_SIZE).putShort((short) 0).putInt(id).putInt(ENABLED).putInt(id);
            }
        }
        body.put((byte) IO_APIC).put((byte) IO_APIC_SIZE).put((byte) IO_APIC_ID).put((byte) 0)
                .putInt((int) IO_APIC_ADDRESS).putInt(0); // GSI base
        // Flags 0: the bus's default polarity and trigger mode.
        body.put((byte) LOCAL_APIC_NMI).put((byte) LOCAL_APIC_NMI_SIZE).put((byte) ALL_PROCESSORS).putShort((short) 0).put((byte) LINT1);
        if (cpus > FIRST_X2APIC_ID) {
            body.put((byte) LOCAL_X2APIC_NMI).put((byte) LOCAL_X2APIC_NMI_SIZE).putShort((short) 0)
                    .putInt(ALL_X2APIC_PROCESSORS).put((byte) LINT1).put(new byte[3]);
        }
        return DescriptionTable.assemble(SIGNATURE, REVISION, body.array());
    }

    private static void check(int cpus) {
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new IllegalArgumentException("The MADT describes 1 to " + MAX_CPUS + " vCPUs, not " + cpus + ".");
        }
    }
}
