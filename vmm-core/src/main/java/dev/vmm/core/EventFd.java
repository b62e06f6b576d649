// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.libc.NativeAccess;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An eventfd: a counter in the kernel that KVM can signal (ioeventfd: a guest write to an address)
 * or wait on (irqfd: raise an interrupt line) without a trip through the VMM.
 */
public final class EventFd implements AutoCloseable {
    /** Offsets in struct pollfd, apart so that loading EventFd does not initialize Libc before create()'s native-access check. */
    private static final class PollFd {
        static final long FD = Libc.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
        static final long EVENTS = Libc.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    }

    final FileDescriptor fd;

    private EventFd(FileDescriptor fd) {
        this.fd = fd;
    }

    /**
     * {@return a new non-blocking eventfd with counter 0}
     *
     * @throws KvmException when eventfd(2) fails, e.g. with EMFILE
     */
    public static EventFd create() {
        NativeAccess.require();
        int raw = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (raw < 0) {
            throw new KvmException("eventfd", Libc.errno(), "");
        }
        return new EventFd(new FileDescriptor("eventfd", raw));
    }

    /**
     * Adds {@code value} to the counter, which wakes a waiter.
     *
     * @param value what to add, 1 or more
     * @throws KvmException when the write fails
     * @throws IllegalStateException when the eventfd is closed
     */
    public void signal(long value) {
        int raw = fd.acquire();
        try (Arena arena = Arena.ofConfined()) {
            if (Libc.write(raw, arena.allocateFrom(ValueLayout.JAVA_LONG, value)) != Long.BYTES) {
                throw new KvmException("write(eventfd)", Libc.errno(), "value=" + value);
            }
        } finally {
            fd.release();
        }
    }

    /**
     * Reads and resets the counter.
     *
     * @return the counter, 0 when nothing was signalled since the last read
     * @throws KvmException when the read fails otherwise
     * @throws IllegalStateException when the eventfd is closed
     */
    public long take() {
        int raw = fd.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(ValueLayout.JAVA_LONG);
            if (Libc.read(raw, buffer) == Long.BYTES) {
                return buffer.get(ValueLayout.JAVA_LONG, 0);
            }
            int errno = Libc.errno();
            if (errno == Errno.EAGAIN.value()) {
                return 0;
            }
            throw new KvmException("read(eventfd)", errno, "");
        } finally {
            fd.release();
        }
    }

    /**
     * Blocks the calling thread until at least one of {@code eventFds} has a non-zero counter
     * (poll(2) for reading), and reads none of them: {@link #take()} them afterwards. Returns at once
     * when one is non-zero already. Meant for a platform thread: a virtual thread pins its carrier
     * meanwhile. Closing one of them waits for this to return, so signal one before closing it.
     *
     * @param eventFds the eventfds to wait on, at least one
     * @throws IllegalArgumentException when there is none
     * @throws IllegalStateException when one of them is closed
     * @throws KvmException when poll(2) fails other than with EINTR
     */
    public static void awaitAny(EventFd... eventFds) {
        if (eventFds.length == 0) {
            throw new IllegalArgumentException("awaitAny needs at least one eventfd, or it would wait for good.");
        }
        int acquired = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(Libc.POLLFD, eventFds.length);
            for (EventFd eventFd : eventFds) {
                MemorySegment pollfd = fds.asSlice(acquired * Libc.POLLFD.byteSize(), Libc.POLLFD);
                pollfd.set(ValueLayout.JAVA_INT, PollFd.FD, eventFd.fd.acquire());
                acquired++;
                pollfd.set(ValueLayout.JAVA_SHORT, PollFd.EVENTS, Libc.POLLIN);
            }
            while (Libc.poll(fds, eventFds.length, -1) < 0) {
                int errno = Libc.errno();
                if (errno != Errno.EINTR.value()) { // a signal to this thread only restarts the wait
                    throw new KvmException("poll(eventfd)", errno, "fds=" + eventFds.length);
                }
            }
        } finally {
            for (int i = 0; i < acquired; i++) {
                eventFds[i].fd.release();
            }
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
