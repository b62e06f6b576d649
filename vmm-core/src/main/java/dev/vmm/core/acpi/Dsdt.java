// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import dev.vmm.core.devices.I8042;
import dev.vmm.core.devices.RtcCmos;
import dev.vmm.core.devices.Serial16550;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Differentiated System Description Table: the AML definition block the guest interprets to
 * learn the devices that it cannot enumerate, and how to power off. Revision 2, so its integers are
 * 64 bits wide.
 *
 * <p>{@link #microVm()} describes what {@code MicroVmDevices} has: the {@code _S5_} sleep type
 * that {@link PowerRegister} turns into a power-off, and the legacy devices with their ports and
 * ISA interrupts, so that kernels which only find devices through ACPI (no legacy probing, or the
 * hardware-reduced profile, where Linux sets up no ISA IRQs of its own) still find them:
 *
 * <pre>{@code
 * Name (_S5, Package () {5, 0, 0, 0})
 * Scope (\_SB) {
 *     Device (COM1) { Name (_HID, EisaId ("PNP0501")) Name (_UID, One)                     // 16550 UART
 *                     Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3F8, 0x3F8, 0, 8) IRQNoFlags () {4} }) }
 *     Device (RTC)  { Name (_HID, EisaId ("PNP0B00"))                                      // MC146818
 *                     Name (_CRS, ResourceTemplate () { IO (Decode16, 0x70, 0x70, 0, 2) IRQNoFlags () {8} }) }
 *     Device (KBD)  { Name (_HID, EisaId ("PNP0303"))                                      // i8042
 *                     Name (_CRS, ResourceTemplate () { IO (Decode16, 0x60, 0x60, 0, 1) IO (Decode16, 0x64, 0x64, 0, 1)
 *                                                       IRQNoFlags () {1} }) }
 * }
 * }</pre>
 *
 * More devices come as more terms, e.g. virtio-mmio devices:
 * {@code Dsdt.microVm().with(Aml.scope("\\_SB", Dsdt.virtioMmio(0, base, VirtioMmio.SIZE, 5)))}.
 */
public final class Dsdt {
    static final String SIGNATURE = "DSDT";
    static final int REVISION = 2;
    /** The RTC's interrupt, and the i8042's keyboard interrupt: fixed on the PC. */
    static final int RTC_IRQ = 8;
    static final int KEYBOARD_IRQ = 1;

    private final List<Aml> terms;

    private Dsdt(List<Aml> terms) {
        this.terms = List.copyOf(terms);
    }

    /**
     * {@return a DSDT of exactly {@code terms}, at the root scope}
     *
     * @param terms the definition block's terms, in order
     */
    public static Dsdt of(Aml... terms) {
        return new Dsdt(Arrays.asList(terms));
    }

    /** {@return the DSDT of a {@code MicroVm}: {@code _S5_} and the UART, RTC and i8042 (see above)} */
    public static Dsdt microVm() {
        return of(
                Aml.name("_S5", Aml.packageOf(Aml.integer(PowerRegister.S5_SLEEP_TYPE), Aml.integer(0), Aml.integer(0), Aml.integer(0))),
                Aml.scope("\\_SB",
                        Aml.device("COM1",
                                Aml.name("_HID", Aml.eisaId("PNP0501")),
                                Aml.name("_UID", Aml.integer(1)),
                                Aml.name("_CRS", Aml.resourceTemplate(
                                        Resource.io(Serial16550.COM1, Serial16550.COM1, 0, Serial16550.PORTS),
                                        Resource.irqNoFlags(Serial16550.COM1_IRQ)))),
                        Aml.device("RTC",
                                Aml.name("_HID", Aml.eisaId("PNP0B00")),
                                Aml.name("_CRS", Aml.resourceTemplate(
                                        Resource.io(RtcCmos.PORT, RtcCmos.PORT, 0, RtcCmos.PORTS),
                                        Resource.irqNoFlags(RTC_IRQ)))),
                        // Linux's i8042 driver takes the data port and the command port from two one-port ranges.
                        Aml.device("KBD",
                                Aml.name("_HID", Aml.eisaId("PNP0303")),
                                Aml.name("_CRS", Aml.resourceTemplate(
                                        Resource.io(I8042.DATA_PORT, I8042.DATA_PORT, 0, 1),
                                        Resource.io(I8042.COMMAND_PORT, I8042.COMMAND_PORT, 0, 1),
                                        Resource.irqNoFlags(KEYBOARD_IRQ))))));
    }

    /** The _HID Linux's virtio_mmio driver binds through ACPI (Linaro's ID for virtio-mmio). */
    static final String VIRTIO_MMIO_HID = "LNRO0005";

    /**
     * A virtio-mmio device, for a scope such as {@code \_SB}: how Linux finds one on x86 without
     * CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES (Debian's kernels), as Firecracker and QEMU's microvm declare them:
     *
     * <pre>{@code
     * Device (V000) { Name (_HID, "LNRO0005") Name (_UID, 0)
     *                 Name (_CRS, ResourceTemplate () { Memory32Fixed (ReadWrite, base, length)
     *                                                   Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) {gsi} }) }
     * }</pre>
     *
     * Edge-triggered: its interrupt is an irqfd, which KVM pulses.
     *
     * @param index 0 to 0xFFF, the device's name (V000 to VFFF) and _UID
     * @param base the guest physical address of the device's MMIO window
     * @param length the window's size in bytes
     * @param gsi the device's interrupt
     * @return the Device term
     * @throws IllegalArgumentException for an index outside 0 to 0xFFF, or a window that does not fit below 4 GiB
     */
    public static Aml virtioMmio(int index, long base, long length, int gsi) {
        if (index < 0 || index > 0xfff) {
            throw new IllegalArgumentException("A virtio-mmio device index is 0 to 4095 (names V000 to VFFF), not " + index + ".");
        }
        return Aml.device(String.format(java.util.Locale.ROOT, "V%03X", index),
                Aml.name("_HID", Aml.string(VIRTIO_MMIO_HID)),
                Aml.name("_UID", Aml.integer(index)),
                Aml.name("_CRS", Aml.resourceTemplate(
                        Resource.memory32Fixed(true, base, length),
                        Resource.interrupt(Resource.Trigger.EDGE, Resource.Polarity.ACTIVE_HIGH, false, gsi))));
    }

    /**
     * {@return this DSDT with {@code more} terms after its own}
     *
     * @param more the terms to add, such as {@link #virtioMmio} devices in a {@code \_SB} scope
     */
    public Dsdt with(Aml... more) {
        List<Aml> all = new ArrayList<>(terms);
        all.addAll(Arrays.asList(more));
        return new Dsdt(all);
    }

    /** {@return the definition block's AML: every term, in order, without the table header} */
    public byte[] aml() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Aml term : terms) {
            term.writeTo(out);
        }
        return out.toByteArray();
    }

    /** The whole table: header and AML. */
    byte[] table() {
        return DescriptionTable.assemble(SIGNATURE, REVISION, aml());
    }
}
