// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm;

import java.lang.foreign.MemoryLayout;

/**
 * The kernel's ioctl number encoders ({@code _IO}, {@code _IOR}, {@code _IOW}, {@code _IOWR} from
 * include/uapi/asm-generic/ioctl.h). jextract drops these function-like macros, so ioctl numbers
 * are computed here from the same inputs the kernel uses: direction, type, number and the
 * argument's size, taken from its layout.
 */
public final class Ioctl {
    private static final int NRBITS = 8;
    private static final int TYPEBITS = 8;
    private static final int SIZEBITS = 14;
    private static final int NRSHIFT = 0;
    private static final int TYPESHIFT = NRSHIFT + NRBITS;
    private static final int SIZESHIFT = TYPESHIFT + TYPEBITS;
    private static final int DIRSHIFT = SIZESHIFT + SIZEBITS;

    /** {@code _IOC_NONE}: the ioctl passes no data through memory. */
    public static final int NONE = 0;
    /** {@code _IOC_WRITE}: user space writes the argument, the kernel reads it. */
    public static final int WRITE = 1;
    /** {@code _IOC_READ}: the kernel writes the argument, user space reads it. */
    public static final int READ = 2;

    private Ioctl() {}

    /**
     * {@code _IOC(dir, type, nr, size)}: the four fields packed into one request number.
     *
     * @param dir {@link #NONE}, or {@link #READ} and {@link #WRITE} combined
     * @param type the driver's type byte, such as {@code KVMIO}
     * @param nr the request's number within the type, a byte
     * @param size the argument's size in bytes, less than 16 KiB
     * @return the ioctl request number
     * @throws IllegalArgumentException when a field does not fit its bits
     */
    public static long ioc(int dir, int type, int nr, long size) {
        if (size < 0 || size >= (1L << SIZEBITS)) {
            throw new IllegalArgumentException("ioctl argument size " + size + " does not fit in " + SIZEBITS + " bits");
        }
        if ((type & ~0xff) != 0 || (nr & ~0xff) != 0) {
            throw new IllegalArgumentException("ioctl type and number must be bytes, got " + type + " and " + nr);
        }
        return ((long) dir << DIRSHIFT) | ((long) type << TYPESHIFT) | ((long) nr << NRSHIFT) | (size << SIZESHIFT);
    }

    /**
     * {@code _IO(type, nr)}: no argument, or an integer argument passed by value.
     *
     * @param type the driver's type byte
     * @param nr the request's number within the type
     * @return the ioctl request number
     */
    public static long io(int type, int nr) {
        return ioc(NONE, type, nr, 0);
    }

    /**
     * {@code _IOR(type, nr, T)}: the kernel writes a T to user space.
     *
     * @param type the driver's type byte
     * @param nr the request's number within the type
     * @param argument the layout of T, whose size is encoded
     * @return the ioctl request number
     */
    public static long ior(int type, int nr, MemoryLayout argument) {
        return ioc(READ, type, nr, argument.byteSize());
    }

    /**
     * {@code _IOW(type, nr, T)}: the kernel reads a T from user space.
     *
     * @param type the driver's type byte
     * @param nr the request's number within the type
     * @param argument the layout of T, whose size is encoded
     * @return the ioctl request number
     */
    public static long iow(int type, int nr, MemoryLayout argument) {
        return ioc(WRITE, type, nr, argument.byteSize());
    }

    /**
     * {@code _IOWR(type, nr, T)}: the kernel reads a T from user space and writes it back.
     *
     * @param type the driver's type byte
     * @param nr the request's number within the type
     * @param argument the layout of T, whose size is encoded
     * @return the ioctl request number
     */
    public static long iowr(int type, int nr, MemoryLayout argument) {
        return ioc(READ | WRITE, type, nr, argument.byteSize());
    }
}
