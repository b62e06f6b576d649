package dev.vmm.core;

import dev.vmm.ffm.Errno;

/**
 * A KVM ioctl or a system call failed. Carries the call's name, the errno and the arguments that
 * matter, e.g. {@code KVM_PRE_FAULT_MEMORY failed: ENOENT (no such file or directory) [gpa=0x200000]}.
 */
public class KvmException extends RuntimeException {
    private final String call;
    private final int errno;

    public KvmException(String call, int errno, String arguments) {
        this(call, errno, arguments, null);
    }

    KvmException(String call, int errno, String arguments, String advice) {
        super(call + " failed: " + Errno.describe(errno)
                + (arguments == null || arguments.isEmpty() ? "" : " [" + arguments + "]")
                + (advice == null ? "" : ". " + advice));
        this.call = call;
        this.errno = errno;
    }

    /** The ioctl or system call that failed, e.g. {@code "KVM_CREATE_VM"}. */
    public String call() {
        return call;
    }

    /** The errno value. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "ENOENT"}. */
    public String errnoName() {
        return Errno.nameOf(errno);
    }

    /** Whether the errno is {@code expected}. */
    public boolean is(Errno expected) {
        return errno == expected.value();
    }
}
