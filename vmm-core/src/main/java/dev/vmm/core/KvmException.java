// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;


/**
 * A KVM ioctl or a system call failed. Carries the call's name, the errno and the arguments that
 * matter, e.g. {@code KVM_PRE_FAULT_MEMORY failed: ENOENT (no such file or directory) [gpa=0x200000]}.
 */
public class KvmException extends RuntimeException {
    /** The ioctl or system call that failed. */
    private final String call;
    /** The errno it failed with. */
    private final int errno;

    /**
     * A failed call, with the message {@code "<call> failed: <errno name> (<description>) [<arguments>]"}.
     *
     * @param call the ioctl or system call, e.g. {@code "KVM_CREATE_VM"}
     * @param errno the errno it failed with
     * @param arguments the arguments that matter, e.g. {@code "gpa=0x200000"}; empty or {@code null}
     *     for none
     */
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

    /** {@return the ioctl or system call that failed, e.g. {@code "KVM_CREATE_VM"}} */
    public String call() {
        return call;
    }

    /** {@return the errno value the call failed with} */
    public int errno() {
        return errno;
    }

    /** {@return the errno's symbolic name, e.g. {@code "ENOENT"}} */
    public String errnoName() {
        return Errno.nameOf(errno);
    }

    /**
     * {@return whether the call failed with {@code expected}}
     *
     * @param expected the errno to compare with
     */
    public boolean is(Errno expected) {
        return errno == expected.value();
    }
}
