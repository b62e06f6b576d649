// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The Intel MultiProcessor Specification 1.4 tables that tell Linux, without ACPI, how many CPUs
 * there are and how the I/O APIC is wired: a floating pointer, then a configuration table with one
 * entry per CPU, the ISA bus, the I/O APIC, its 24 interrupt pins and the LAPIC's LINT0/LINT1.
 * Linux looks for the floating pointer in the last KiB of base memory, where
 * {@link LinuxBoot#MP_TABLE} puts it.
 */
final class MpTable {
    static final long LOCAL_APIC_ADDRESS = 0xfee00000L;
    static final long IO_APIC_ADDRESS = 0xfec00000L;
    static final int IO_APIC_PINS = 24;
    /** Room the tables may take: the end of base memory, 0x9fc00 to 0xa0000. */
    static final int MAX_SIZE = 1024;

    private static final int FLOATING_POINTER_SIZE = 16;
    private static final int HEADER_SIZE = 44;
    private static final int PROCESSOR_SIZE = 20;
    private static final int OTHER_ENTRY_SIZE = 8;

    private MpTable() {}

    /** Most vCPUs whose entries fit in {@link #MAX_SIZE}. */
    static int maxCpus() {
        return (MAX_SIZE - sizeWithout()) / PROCESSOR_SIZE;
    }

    private static int sizeWithout() {
        return FLOATING_POINTER_SIZE + HEADER_SIZE + OTHER_ENTRY_SIZE * (1 + 1 + IO_APIC_PINS + 2);
    }

    /** The tables for {@code cpus} CPUs (APIC IDs 0..cpus-1), to be written at {@code address}. */
    static byte[] build(long address, int cpus) {
        if (cpus < 1 || cpus > maxCpus()) {
            throw new IllegalArgumentException("An MP table holds 1 to " + maxCpus() + " CPUs, not " + cpus + ".");
        }
        int size = sizeWithout() + PROCESSOR_SIZE * cpus;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        long configTable = address + FLOATING_POINTER_SIZE;

        b.put(ascii("_MP_")).putInt((int) configTable).put((byte) 1).put((byte) 4).put((byte) 0) // length in 16-byte units, spec 1.4, checksum
                .put(new byte[5]); // feature bytes: 0 = a configuration table follows, no IMCR
        b.put(10, checksum(b.array(), 0, FLOATING_POINTER_SIZE));

        int header = b.position();
        int entries = cpus + 1 + 1 + IO_APIC_PINS + 2;
        b.put(ascii("PCMP")).putShort((short) (size - FLOATING_POINTER_SIZE)).put((byte) 4).put((byte) 0)
                .put(ascii("JAVAVMM ")).put(ascii("MICROVM     "))
                .putInt(0).putShort((short) 0).putShort((short) entries).putInt((int) LOCAL_APIC_ADDRESS)
                .putShort((short) 0).put((byte) 0).put((byte) 0);
        for (int cpu = 0; cpu < cpus; cpu++) {
            int flags = 1 | (cpu == 0 ? 2 : 0); // enabled, bootstrap processor
            b.put((byte) 0).put((byte) cpu).put((byte) 0x14).put((byte) flags)
                    .putInt(0x600).putInt(0x201) // signature: family 6; features: FPU, APIC
                    .putLong(0);
        }
        b.put((byte) 1).put((byte) 0).put(ascii("ISA   "));
        int ioApicId = cpus;
        b.put((byte) 2).put((byte) ioApicId).put((byte) 0x11).put((byte) 1).putInt((int) IO_APIC_ADDRESS);
        // ISA IRQ n on I/O APIC pin n, as KVM's default GSI routing has it.
        for (int pin = 0; pin < IO_APIC_PINS; pin++) {
            b.put((byte) 3).put((byte) 0).putShort((short) 0).put((byte) 0).put((byte) pin).put((byte) ioApicId).put((byte) pin);
        }
        b.put((byte) 4).put((byte) 3).putShort((short) 0).put((byte) 0).put((byte) 0).put((byte) 0xff).put((byte) 0); // ExtINT -> LINT0
        b.put((byte) 4).put((byte) 1).putShort((short) 0).put((byte) 0).put((byte) 0).put((byte) 0xff).put((byte) 1); // NMI -> LINT1
        b.put(header + 7, checksum(b.array(), header, size - header));
        return b.array();
    }

    private static byte checksum(byte[] bytes, int from, int length) {
        int sum = 0;
        for (int i = from; i < from + length; i++) {
            sum += bytes[i];
        }
        return (byte) -sum;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
