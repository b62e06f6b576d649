// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

/**
 * A device on a {@link Bus}: it sees each guest access whole (the offset into the range it was
 * registered for, and all the bytes of the access), never its own address. The bus calls a device
 * from the vCPU threads, several at once: a device guards its own state, and never blocks on the
 * outside world (a console, a disk, a socket) while a vCPU waits.
 *
 * <p>Every value in an access comes from the guest: offsets and lengths are within the range the
 * device registered (the bus checks that), the data is anything at all.
 */
public interface BusDevice {
    /**
     * The guest reads {@code data.length} bytes at {@code offset}: fill {@code data} (it starts as all ones).
     *
     * @param offset where the access starts, from the start of the device's range
     * @param data receives the bytes, 1 to {@link Bus#MAX_ACCESS} of them
     */
    void read(long offset, byte[] data);

    /**
     * The guest writes {@code data} at {@code offset}.
     *
     * @param offset where the access starts, from the start of the device's range
     * @param data the bytes written, 1 to {@link Bus#MAX_ACCESS} of them
     */
    void write(long offset, byte[] data);
}
