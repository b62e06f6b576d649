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

    public static final int NONE = 0;
    public static final int WRITE = 1;
    public static final int READ = 2;

    private Ioctl() {}

    /** {@code _IOC(dir, type, nr, size)}. */
    public static long ioc(int dir, int type, int nr, long size) {
        if (size < 0 || size >= (1L << SIZEBITS)) {
            throw new IllegalArgumentException("ioctl argument size " + size + " does not fit in " + SIZEBITS + " bits");
        }
        if ((type & ~0xff) != 0 || (nr & ~0xff) != 0) {
            throw new IllegalArgumentException("ioctl type and number must be bytes, got " + type + " and " + nr);
        }
        return ((long) dir << DIRSHIFT) | ((long) type << TYPESHIFT) | ((long) nr << NRSHIFT) | (size << SIZESHIFT);
    }

    /** {@code _IO(type, nr)}: no argument, or an integer argument passed by value. */
    public static long io(int type, int nr) {
        return ioc(NONE, type, nr, 0);
    }

    /** {@code _IOR(type, nr, T)}: the kernel writes a T to user space. */
    public static long ior(int type, int nr, MemoryLayout argument) {
        return ioc(READ, type, nr, argument.byteSize());
    }

    /** {@code _IOW(type, nr, T)}: the kernel reads a T from user space. */
    public static long iow(int type, int nr, MemoryLayout argument) {
        return ioc(WRITE, type, nr, argument.byteSize());
    }

    /** {@code _IOWR(type, nr, T)}: both directions. */
    public static long iowr(int type, int nr, MemoryLayout argument) {
        return ioc(READ | WRITE, type, nr, argument.byteSize());
    }
}
