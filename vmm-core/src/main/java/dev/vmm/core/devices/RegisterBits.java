// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

/**
 * The check every device state makes of the registers it is given: a register holds only the bits
 * its device keeps, so that a state from a corrupt or hostile snapshot cannot put a device where
 * no guest access could.
 */
final class RegisterBits {
    private RegisterBits() {}

    /**
     * Checks that {@code value} has no bit outside {@code kept} (a negative value never passes).
     *
     * @param device the device, as the message names it
     * @param register the register, as the message names it
     * @param value the register's value
     * @param kept the bits the device keeps in it
     * @return {@code value}
     * @throws IllegalArgumentException in one sentence, when it has other bits
     */
    static int check(String device, String register, int value, int kept) {
        if ((value & ~kept) != 0) {
            throw new IllegalArgumentException("The " + device + " state's " + register + " is 0x" + Integer.toHexString(value)
                    + ", which has bits outside the 0x" + Integer.toHexString(kept) + " the " + device + " keeps.");
        }
        return value;
    }
}
