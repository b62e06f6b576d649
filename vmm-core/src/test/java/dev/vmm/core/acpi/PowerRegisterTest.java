// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import dev.vmm.core.devices.Bus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the guest writes to the power register, as ACPICA's {@code acpi_hw_extended_sleep} and
 * {@code acpi_reset} compute it (ACPI_X_SLEEP_TYPE_POSITION 2, ACPI_X_SLEEP_ENABLE 0x20,
 * ACPI_X_WAKE_STATUS 0x80; the reset value from the FADT).
 */
class PowerRegisterTest {
    @Test
    void onlyTheS5TypeWithSleepEnableIsAPowerOff() {
        assertTrue(PowerRegister.isPowerOff(0x34), "(5 << 2) | 0x20, what Linux writes for S5");
        assertFalse(PowerRegister.isPowerOff(0x14), "S5 without SLP_EN: the type is being set, not entered");
        assertFalse(PowerRegister.isPowerOff(0x20), "S0 with SLP_EN");
        assertFalse(PowerRegister.isPowerOff(0x2c), "S3 with SLP_EN: not declared, not a power-off");
        assertFalse(PowerRegister.isPowerOff(PowerRegister.WAKE_STATUS), "clearing WAK_STS before sleeping");
        assertFalse(PowerRegister.isPowerOff(PowerRegister.RESET_VALUE));
    }

    @Test
    void onlyTheResetValueIsAReset() {
        assertTrue(PowerRegister.isReset(PowerRegister.RESET_VALUE));
        for (int value : new int[] {0, 0x34, PowerRegister.WAKE_STATUS, 0x20, 0xff}) {
            assertFalse(PowerRegister.isReset(value), "0x" + Integer.toHexString(value));
        }
    }

    @Test
    void onTheBusTheRegisterTurnsLinuxsPowerOffAndResetWritesIntoEvents() {
        List<String> events = new ArrayList<>();
        Bus ports = new Bus(Bus.Space.PORT).register(PowerRegister.PORT, PowerRegister.LENGTH,
                new PowerRegister(() -> events.add("poweroff"), () -> events.add("reset")));
        // Linux's S5: clear WAK_STS, then SLP_TYP | SLP_EN; then it polls the status register.
        ports.write(PowerRegister.PORT, new byte[] {(byte) PowerRegister.WAKE_STATUS});
        assertEquals(List.of(), events, "clearing the status is no event");
        ports.write(PowerRegister.PORT, new byte[] {0x34});
        assertEquals(List.of("poweroff"), events);
        byte[] status = {-1};
        ports.read(PowerRegister.PORT, status);
        assertArrayEquals(new byte[] {0}, status, "reads as zero");
        ports.write(PowerRegister.PORT, new byte[] {(byte) PowerRegister.RESET_VALUE});
        assertEquals(List.of("poweroff", "reset"), events);
        ports.write(PowerRegister.PORT, new byte[] {0x14, 0x20});
        ports.write(PowerRegister.PORT + 1, new byte[] {0x34});
        assertEquals(List.of("poweroff", "reset"), events, "no other byte, and no other port, is an event: " + ports.unhandled());
    }
}
