// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.devices.I8042;
import dev.vmm.core.devices.RtcCmos;
import dev.vmm.core.devices.Serial16550;

import java.util.Objects;

/**
 * The PC's legacy devices' state, saved with a VM by {@link VmSnapshot#save(java.nio.file.Path,
 * dev.vmm.core.Vm, java.util.List, dev.vmm.core.GuestMemory, LegacyDeviceState)} and given back by
 * {@link RestoredVm#devices()}, to restore into the devices of the machine that continues. The
 * boot-complete port and the ACPI power register have no state: they only report writes.
 *
 * @param serial the UART at COM1
 * @param i8042 the keyboard controller
 * @param rtc the RTC and its CMOS
 */
public record LegacyDeviceState(Serial16550.State serial, I8042.State i8042, RtcCmos.State rtc) {
    /**
     * Takes the three states.
     *
     * @param serial the UART's state
     * @param i8042 the keyboard controller's state
     * @param rtc the RTC's state
     */
    public LegacyDeviceState {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(i8042, "i8042");
        Objects.requireNonNull(rtc, "rtc");
    }

    /**
     * {@return the state of these devices, each taken in one step; the vCPUs should be stopped,
     * or the three are not of one moment}
     *
     * @param serial the UART
     * @param i8042 the keyboard controller
     * @param rtc the RTC
     */
    public static LegacyDeviceState of(Serial16550 serial, I8042 i8042, RtcCmos rtc) {
        return new LegacyDeviceState(serial.state(), i8042.state(), rtc.state());
    }

    /**
     * Puts this state back into these devices, for the guest to continue with.
     *
     * @param serial the UART
     * @param i8042 the keyboard controller
     * @param rtc the RTC
     */
    public void restoreInto(Serial16550 serial, I8042 i8042, RtcCmos rtc) {
        serial.restore(this.serial);
        i8042.restore(this.i8042);
        rtc.restore(this.rtc);
    }
}
