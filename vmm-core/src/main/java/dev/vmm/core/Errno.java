// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

/**
 * Linux errno values (x86-64, asm-generic) that KVM and the system calls under this library
 * return: the library's own type for why a call failed ({@link KvmException#is}, {@link PreFaultCall#failedWith}).
 */
public enum Errno {
    /** Operation not permitted, errno 1. */
    EPERM(1, "operation not permitted"),
    /** No such file or directory, errno 2. */
    ENOENT(2, "no such file or directory"),
    /** No such process, errno 3. */
    ESRCH(3, "no such process"),
    /** Interrupted system call, errno 4. */
    EINTR(4, "interrupted system call"),
    /** Input/output error, errno 5. */
    EIO(5, "input/output error"),
    /** No such device or address, errno 6. */
    ENXIO(6, "no such device or address"),
    /** Argument list too long, errno 7. */
    E2BIG(7, "argument list too long"),
    /** Bad file descriptor, errno 9. */
    EBADF(9, "bad file descriptor"),
    /** Resource temporarily unavailable, errno 11. */
    EAGAIN(11, "resource temporarily unavailable"),
    /** Cannot allocate memory, errno 12. */
    ENOMEM(12, "cannot allocate memory"),
    /** Permission denied, errno 13. */
    EACCES(13, "permission denied"),
    /** Bad address, errno 14. */
    EFAULT(14, "bad address"),
    /** Device or resource busy, errno 16. */
    EBUSY(16, "device or resource busy"),
    /** File exists, errno 17. */
    EEXIST(17, "file exists"),
    /** No such device, errno 19. */
    ENODEV(19, "no such device"),
    /** Not a directory, errno 20. */
    ENOTDIR(20, "not a directory"),
    /** Is a directory, errno 21. */
    EISDIR(21, "is a directory"),
    /** Invalid argument, errno 22. */
    EINVAL(22, "invalid argument"),
    /** Too many open files in system, errno 23. */
    ENFILE(23, "too many open files in system"),
    /** Too many open files, errno 24. */
    EMFILE(24, "too many open files"),
    /** Inappropriate ioctl for device, errno 25. */
    ENOTTY(25, "inappropriate ioctl for device"),
    /** File too large, errno 27. */
    EFBIG(27, "file too large"),
    /** No space left on device, errno 28. */
    ENOSPC(28, "no space left on device"),
    /** Read-only file system, errno 30. */
    EROFS(30, "read-only file system"),
    /** Numerical result out of range, errno 34. */
    ERANGE(34, "numerical result out of range"),
    /** Function not implemented, errno 38. */
    ENOSYS(38, "function not implemented"),
    /** Operation not supported, errno 95. */
    EOPNOTSUPP(95, "operation not supported"),
    /** Connection timed out, errno 110. */
    ETIMEDOUT(110, "connection timed out"),
    /** Memory page has hardware error, errno 133. */
    EHWPOISON(133, "memory page has hardware error");

    private static final Errno[] BY_VALUE = new Errno[256];

    static {
        for (Errno e : values()) {
            BY_VALUE[e.value] = e;
        }
    }

    private final int value;
    private final String description;

    Errno(int value, String description) {
        this.value = value;
        this.description = description;
    }

    /** {@return the errno value, as the kernel and libc use it} */
    public int value() {
        return value;
    }

    /** {@return what the error means, in glibc's {@code strerror} words, lower case} */
    public String description() {
        return description;
    }

    /**
     * {@return the errno with this value, or {@code null} when it is not one this table names}
     *
     * @param value an errno value
     */
    public static Errno of(int value) {
        return value > 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }

    /**
     * {@return the errno's name, {@code "ENOENT"}, or {@code "errno 123"} for a value this table does not name}
     *
     * @param value an errno value
     */
    public static String nameOf(int value) {
        Errno e = of(value);
        return e != null ? e.name() : "errno " + value;
    }

    /**
     * {@return the errno's name and meaning, {@code "ENOENT (no such file or directory)"}, or
     * {@code "errno 123"} for a value this table does not name}
     *
     * @param value an errno value
     */
    public static String describe(int value) {
        Errno e = of(value);
        return e != null ? e.name() + " (" + e.description + ")" : "errno " + value;
    }
}
