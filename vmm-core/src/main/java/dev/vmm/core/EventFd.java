package dev.vmm.core;

import dev.vmm.ffm.Errno;
import dev.vmm.ffm.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An eventfd: a counter in the kernel that KVM can signal (ioeventfd: a guest write to an address)
 * or wait on (irqfd: raise an interrupt line) without a trip through the VMM.
 */
public final class EventFd implements AutoCloseable {
    final FileDescriptor fd;

    private EventFd(FileDescriptor fd) {
        this.fd = fd;
    }

    /** A non-blocking eventfd with counter 0. */
    public static EventFd create() {
        int raw = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (raw < 0) {
            throw new KvmException("eventfd", Libc.errno(), "");
        }
        return new EventFd(new FileDescriptor("eventfd", raw));
    }

    /** Adds {@code value} to the counter. */
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

    /** Reads and resets the counter; 0 when nothing was signalled since the last read. */
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

    @Override
    public void close() {
        fd.close();
    }
}
