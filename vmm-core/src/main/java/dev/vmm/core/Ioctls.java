// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.libc.Libc;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * Issues an ioctl on an acquired fd and turns -1 into a {@link KvmException} naming the call.
 * An ioctl a signal interrupted (EINTR) is issued again, as libc's callers do for any system call:
 * KVM_CREATE_VM, for one, fails with EINTR when any signal is pending while it registers with the
 * memory manager (seen in the sandbox under a test run). KVM_RUN and KVM_PRE_FAULT_MEMORY, for
 * which an interruption means something, do not come here.
 */
final class Ioctls {
    /** Retries of an interrupted call: far more than signals ever come in a row, and still bounded. */
    private static final int MAX_INTERRUPTED = 1000;

    private Ioctls() {}

    static int call(FileDescriptor fd, long request, String name, long arg) {
        int raw = fd.acquire();
        try {
            int r = ioctl(raw, request, arg);
            if (r < 0) {
                throw new KvmException(name, Libc.errno(), "arg=" + arg);
            }
            return r;
        } finally {
            fd.release();
        }
    }

    static int call(FileDescriptor fd, long request, String name, MemorySegment arg) {
        return call(fd, request, name, arg, () -> "");
    }

    static int call(FileDescriptor fd, long request, String name, MemorySegment arg, Supplier<String> arguments) {
        int raw = fd.acquire();
        try {
            int r = ioctl(raw, request, arg);
            if (r < 0) {
                throw new KvmException(name, Libc.errno(), arguments.get());
            }
            return r;
        } finally {
            fd.release();
        }
    }

    /**
     * Like {@link #call}, but answers false instead of throwing when the ioctl fails with
     * {@code expected}: E2BIG from the calls that fill a caller-sized buffer, for one.
     */
    static boolean callUnless(Errno expected, FileDescriptor fd, long request, String name, MemorySegment arg, Supplier<String> arguments) {
        int raw = fd.acquire();
        try {
            if (ioctl(raw, request, arg) >= 0) {
                return true;
            }
            int errno = Libc.errno();
            if (errno == expected.value()) {
                return false;
            }
            throw new KvmException(name, errno, arguments.get());
        } finally {
            fd.release();
        }
    }

    /** The ioctl, issued again while a signal interrupts it (at most {@link #MAX_INTERRUPTED} times). */
    private static int ioctl(int raw, long request, long arg) {
        int r = Libc.ioctl(raw, request, arg);
        for (int i = 0; r < 0 && i < MAX_INTERRUPTED && Libc.errno() == Errno.EINTR.value(); i++) {
            r = Libc.ioctl(raw, request, arg);
        }
        return r;
    }

    private static int ioctl(int raw, long request, MemorySegment arg) {
        int r = Libc.ioctl(raw, request, arg);
        for (int i = 0; r < 0 && i < MAX_INTERRUPTED && Libc.errno() == Errno.EINTR.value(); i++) {
            r = Libc.ioctl(raw, request, arg);
        }
        return r;
    }
}
