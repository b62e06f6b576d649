package dev.vmm.ffm;

/** Linux errno values (x86-64, asm-generic) that KVM and the calls in {@link Libc} return. */
public enum Errno {
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such file or directory"),
    ESRCH(3, "no such process"),
    EINTR(4, "interrupted system call"),
    EIO(5, "input/output error"),
    ENXIO(6, "no such device or address"),
    E2BIG(7, "argument list too long"),
    EBADF(9, "bad file descriptor"),
    EAGAIN(11, "resource temporarily unavailable"),
    ENOMEM(12, "cannot allocate memory"),
    EACCES(13, "permission denied"),
    EFAULT(14, "bad address"),
    EBUSY(16, "device or resource busy"),
    EEXIST(17, "file exists"),
    ENODEV(19, "no such device"),
    ENOTDIR(20, "not a directory"),
    EISDIR(21, "is a directory"),
    EINVAL(22, "invalid argument"),
    ENFILE(23, "too many open files in system"),
    EMFILE(24, "too many open files"),
    ENOTTY(25, "inappropriate ioctl for device"),
    EFBIG(27, "file too large"),
    ENOSPC(28, "no space left on device"),
    EROFS(30, "read-only file system"),
    ERANGE(34, "numerical result out of range"),
    ENOSYS(38, "function not implemented"),
    EOPNOTSUPP(95, "operation not supported"),
    ETIMEDOUT(110, "connection timed out"),
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

    public int value() {
        return value;
    }

    public String description() {
        return description;
    }

    /** The errno with this value, or {@code null} when it is not one this table names. */
    public static Errno of(int value) {
        return value > 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }

    /** {@code "ENOENT"}, or {@code "errno 123"} for a value this table does not name. */
    public static String nameOf(int value) {
        Errno e = of(value);
        return e != null ? e.name() : "errno " + value;
    }

    /** {@code "ENOENT (no such file or directory)"}. */
    public static String describe(int value) {
        Errno e = of(value);
        return e != null ? e.name() + " (" + e.description + ")" : "errno " + value;
    }
}
