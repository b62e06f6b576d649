package dev.vmm.core.acpi;

import org.junit.jupiter.api.Test;

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
}
