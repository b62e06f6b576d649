package dev.vmm.core.devices;

/**
 * A device on the x86 I/O port bus. The bus hands it one byte at a time, at an offset into the
 * ports it was registered for (a 16-bit access to port p is bytes at p and p + 1, as on a PC).
 */
public interface PortDevice {
    /** The byte the guest reads at {@code offset}, 0 to 255. */
    int read(int offset);

    /** The guest writes {@code value} (0 to 255) at {@code offset}. */
    void write(int offset, int value);
}
