// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

/**
 * A device of 8-bit registers, as the PC's legacy chips are: a wider access reaches consecutive
 * registers one byte at a time, as it would on their 8-bit bus.
 */
public interface ByteRegisters extends BusDevice {
    /**
     * {@return the byte the guest reads from the register at {@code offset}, 0 to 255}
     *
     * @param offset the register, from the start of the device's range
     */
    int readRegister(long offset);

    /**
     * The guest writes {@code value} (0 to 255) to the register at {@code offset}.
     *
     * @param offset the register, from the start of the device's range
     * @param value the byte written
     */
    void writeRegister(long offset, int value);

    @Override
    default void read(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) readRegister(offset + i);
        }
    }

    @Override
    default void write(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            writeRegister(offset + i, data[i] & 0xff);
        }
    }
}
