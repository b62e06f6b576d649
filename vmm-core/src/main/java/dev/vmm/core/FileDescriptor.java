package dev.vmm.core;

import dev.vmm.ffm.Libc;

/**
 * An owned file descriptor: closed once, and any use after close is an IllegalStateException
 * instead of an ioctl on a number the process may have reused for something else.
 */
final class FileDescriptor implements AutoCloseable {
    private final String what;
    private volatile int fd;

    FileDescriptor(String what, int fd) {
        this.what = what;
        this.fd = fd;
    }

    /** The raw number, for the ioctl that is about to use it. */
    int get() {
        int value = fd;
        if (value < 0) {
            throw new IllegalStateException("The " + what + " is closed; create a new one.");
        }
        return value;
    }

    boolean isOpen() {
        return fd >= 0;
    }

    @Override
    public void close() {
        int value;
        synchronized (this) {
            value = fd;
            fd = -1;
        }
        if (value >= 0 && Libc.close(value) != 0) {
            throw new KvmException("close(" + what + ")", Libc.errno(), "fd=" + value);
        }
    }

    @Override
    public String toString() {
        return what + " fd " + fd;
    }
}
