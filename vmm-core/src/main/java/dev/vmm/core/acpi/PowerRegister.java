// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import dev.vmm.core.devices.ByteRegisters;

/**
 * The one I/O port the {@linkplain Fadt FADT} points its hardware-reduced sleep control, sleep
 * status and reset registers at, and what the guest writes there (ACPI 6.3, 4.8.3.7 and 4.8.3.6).
 * Registered on the port bus at {@link #PORT}, an instance turns these writes into the VM's exits;
 * it reads as zero (ACPICA polls the status register for WAK_STS after a sleep, which never comes:
 * the VM has ended by then).
 *
 * <p>To power off, Linux (ACPICA's {@code acpi_hw_extended_sleep}) first writes {@link #WAKE_STATUS}
 * to the status register to clear it, then the {@code _S5_} sleep type, shifted, with
 * {@link #SLEEP_ENABLE} to the control register: {@code (5 << 2) | 0x20 = 0x34}. To reboot
 * through ACPI it writes {@link #RESET_VALUE} to the reset register. Every register is one byte
 * wide, and they share the port: no write of one means anything to another.
 */
public final class PowerRegister implements ByteRegisters {
    /**
     * The port: free on this machine's port bus (the UART is at 0x3f8, the i8042 at 0x60, the
     * RTC at 0x70, boot-complete at 0x3f0) and outside the VGA and legacy ranges a guest probes.
     */
    public static final int PORT = 0x600;
    /** Ports the registers take. */
    public static final int LENGTH = 1;
    /** The sleep type {@code _S5_} (soft off) declares, SLP_TYP in the control register. */
    public static final int S5_SLEEP_TYPE = 5;
    /** SLP_EN: the control register's "enter the sleep state now" bit. */
    public static final int SLEEP_ENABLE = 1 << 5;
    /** WAK_STS: the status register's "woke up" bit; the guest writes it to clear it. */
    public static final int WAKE_STATUS = 1 << 7;
    /** What the guest writes to the reset register to reboot. */
    public static final int RESET_VALUE = 1;

    private static final int SLEEP_TYPE_SHIFT = 2;
    private static final int SLEEP_TYPE_MASK = 0x7 << SLEEP_TYPE_SHIFT;

    private final Runnable powerOff;
    private final Runnable reset;

    /**
     * A power register that reports the guest's power-off and reset requests.
     *
     * @param powerOff called when the guest enters S5, on a vCPU thread: it must not block
     * @param reset called when the guest writes the reset value, on a vCPU thread: it must not block
     */
    public PowerRegister(Runnable powerOff, Runnable reset) {
        this.powerOff = powerOff;
        this.reset = reset;
    }

    @Override
    public int readRegister(long offset) {
        return 0;
    }

    @Override
    public void writeRegister(long offset, int value) {
        if (isPowerOff(value)) {
            powerOff.run();
        } else if (isReset(value)) {
            reset.run();
        }
    }

    @Override
    public String toString() {
        return "ACPI sleep control/status and reset register";
    }

    /**
     * {@return whether the byte {@code value} written to {@link #PORT} asks for soft off (S5)}
     *
     * @param value the byte the guest wrote
     */
    public static boolean isPowerOff(int value) {
        return (value & SLEEP_ENABLE) != 0 && (value & SLEEP_TYPE_MASK) >> SLEEP_TYPE_SHIFT == S5_SLEEP_TYPE;
    }

    /**
     * {@return whether the byte {@code value} written to {@link #PORT} asks for a reset}
     *
     * @param value the byte the guest wrote
     */
    public static boolean isReset(int value) {
        return value == RESET_VALUE;
    }
}
