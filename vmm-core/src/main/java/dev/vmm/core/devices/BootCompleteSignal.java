// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

/**
 * The port a guest's init writes to say "booted": one byte, {@link #MAGIC}, to {@link #PORT}
 * (the same port and value as Firecracker's boot timer, so existing guest images work). From a
 * shell: {@code printf '\173' | dd of=/dev/port bs=1 seek=1008 count=1}. Other values are ignored.
 */
public final class BootCompleteSignal implements ByteRegisters {
    /** The I/O port the guest writes to, 0x3f0 (1008). */
    public static final int PORT = 0x3f0;
    /** The byte that says "booted", 123 ({@code '\173'}). */
    public static final int MAGIC = 123;

    private final Runnable signalled;

    /**
     * A boot-complete port that reports each signal.
     *
     * @param signalled called on each write of {@link #MAGIC}, on a vCPU thread: it must not block */
    public BootCompleteSignal(Runnable signalled) {
        this.signalled = signalled;
    }

    @Override
    public int readRegister(long offset) {
        return 0xff;
    }

    @Override
    public void writeRegister(long offset, int value) {
        if (value == MAGIC) {
            signalled.run();
        }
    }

    @Override
    public String toString() {
        return "boot-complete signal";
    }
}
