// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.libc.Libc;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/** Issues an ioctl on an acquired fd and turns -1 into a {@link KvmException} naming the call. */
final class Ioctls {
    private Ioctls() {}

    static int call(FileDescriptor fd, long request, String name, long arg) {
        int raw = fd.acquire();
        try {
            int r = Libc.ioctl(raw, request, arg);
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
            int r = Libc.ioctl(raw, request, arg);
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
            if (Libc.ioctl(raw, request, arg) >= 0) {
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
}
