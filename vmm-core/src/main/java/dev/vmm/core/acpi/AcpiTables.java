// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The ACPI tables of a microVM, laid out for one place in guest memory so that every pointer
 * between them is final: an RSDP, an XSDT listing the FADT and MADT, and the DSDT the FADT points
 * at. Write {@link #bytes()} at {@link #address()}; the guest finds the RSDP by the zero page's
 * {@code acpi_rsdp_addr} (boot protocol 2.14+) or by scanning the BIOS area, where it sits.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=acpi-tables}
 *
 * <p>The layout, in {@link #WINDOW} (the BIOS area 0xE0000 to 0xFFFFF, 128 KiB):
 * <pre>
 * 0xE0000  RSDP (36 bytes), 16-byte aligned where Linux's legacy scan looks
 * next     XSDT, FADT, MADT (8 to 16 bytes per vCPU), DSDT, each 16-byte aligned
 * </pre>
 * Why there: it is the one range that a kernel without {@code acpi_rsdp_addr} searches for the
 * RSDP; Linux never turns 0xA0000 to 0xFFFFF into usable RAM, whatever the e820 map says; and
 * nothing else of the boot lives there (LinuxBoot: zero page 0x7000, page tables 0x9000, command
 * line 0x20000, MP table 0x9FC00 to 0xA0000, kernel from 1 MiB up). The e820 map should mark the
 * window reserved. The largest MADT (4096 vCPUs, 62 KiB) leaves 65 KiB for the DSDT.
 */
public final class AcpiTables {
    /** Where the tables go, and the range the e820 map marks reserved. */
    public static final GuestMemory.Range WINDOW = new GuestMemory.Range(GuestAddress.of(0xe0000), 0x20000);
    /** The most vCPUs the tables describe; KVM's own limit may be lower. */
    public static final int MAX_VCPUS = Madt.MAX_CPUS;
    /** Tables start on 16-byte boundaries: the RSDP must, and the others stay easy to read in a dump. */
    private static final int ALIGNMENT = 16;

    private final GuestAddress address;
    private final byte[] bytes;
    private final GuestAddress xsdt;
    private final GuestAddress fadt;
    private final GuestAddress madt;
    private final GuestAddress dsdt;

    private AcpiTables(GuestAddress address, byte[] bytes, GuestAddress xsdt, GuestAddress fadt, GuestAddress madt, GuestAddress dsdt) {
        this.address = address;
        this.bytes = bytes;
        this.xsdt = xsdt;
        this.fadt = fadt;
        this.madt = madt;
        this.dsdt = dsdt;
    }

    /**
     * The tables for {@code vcpus} vCPUs with the microVM's DSDT ({@link Dsdt#microVm()}), in {@link #WINDOW}.
     *
     * @param vcpus the number of vCPUs, each a local APIC in the MADT
     * @return the tables
     * @throws IllegalArgumentException when {@code vcpus} is outside 1 to {@link #MAX_VCPUS}
     */
    public static AcpiTables build(int vcpus) {
        return build(vcpus, Dsdt.microVm());
    }

    /**
     * The tables for {@code vcpus} vCPUs with {@code dsdt}, in {@link #WINDOW}.
     *
     * @param vcpus the number of vCPUs, each a local APIC in the MADT
     * @param dsdt the DSDT, such as {@link Dsdt#microVm()} with more devices
     * @return the tables
     * @throws IllegalArgumentException when {@code vcpus} is outside 1 to {@link #MAX_VCPUS}, or
     *     the tables do not fit the window (a DSDT of more than 65 KiB beside the largest MADT)
     */
    public static AcpiTables build(int vcpus, Dsdt dsdt) {
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("ACPI tables describe 1 to " + MAX_VCPUS + " vCPUs, not " + vcpus + ".");
        }
        byte[] dsdtTable = dsdt.table();
        long start = WINDOW.start().value();
        long xsdtAt = align(start + Rsdp.SIZE);
        long fadtAt = align(xsdtAt + Xsdt.size(2));
        long madtAt = align(fadtAt + Fadt.SIZE);
        long dsdtAt = align(madtAt + Madt.size(vcpus));
        long end = dsdtAt + dsdtTable.length;
        if (end > WINDOW.end().value()) {
            throw new IllegalArgumentException("The ACPI tables take " + (end - start) + " bytes, more than the " + WINDOW.size()
                    + " of their window at " + WINDOW.start() + ": give a smaller DSDT.");
        }
        ByteBuffer all = ByteBuffer.allocate((int) (end - start));
        all.put(0, Rsdp.build(xsdtAt));
        all.put((int) (xsdtAt - start), Xsdt.build(fadtAt, madtAt));
        all.put((int) (fadtAt - start), Fadt.build(dsdtAt));
        all.put((int) (madtAt - start), Madt.build(vcpus));
        all.put((int) (dsdtAt - start), dsdtTable);
        return new AcpiTables(WINDOW.start(), all.array(), GuestAddress.of(xsdtAt), GuestAddress.of(fadtAt),
                GuestAddress.of(madtAt), GuestAddress.of(dsdtAt));
    }

    private static long align(long address) {
        return (address + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** {@return where {@link #bytes()} go in guest memory: the start of {@link #WINDOW}} */
    public GuestAddress address() {
        return address;
    }

    /** {@return every table, at its offset from {@link #address()}; the gaps between them are zero} */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** {@return the RSDP's guest physical address, for the zero page's {@code acpi_rsdp_addr}} */
    public GuestAddress rsdp() {
        return address;
    }

    GuestAddress xsdt() {
        return xsdt;
    }

    GuestAddress fadt() {
        return fadt;
    }

    GuestAddress madt() {
        return madt;
    }

    GuestAddress dsdt() {
        return dsdt;
    }

    /** The table at {@code at}, as it lies in {@link #bytes()}, {@code length} bytes. */
    byte[] slice(GuestAddress at, int length) {
        int from = (int) (at.value() - address.value());
        return Arrays.copyOfRange(bytes, from, from + length);
    }
}
