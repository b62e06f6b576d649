package dev.vmm.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Downcalls into libc. Each call captures errno into a buffer owned by the calling thread, so a
 * failed call is followed by {@link #errno()} on the same thread, as in C. Calls return what the C
 * function returns; turning -1 into an exception is the typed layer's job.
 */
public final class Libc {
    private Libc() {}

    // open(2) flags and mmap(2)/madvise(2) constants, x86-64.
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NOCTTY = 0x100;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_HUGETLB = 0x40000;
    public static final int MAP_HUGE_2MB = 21 << 26;

    public static final int MADV_DONTNEED = 4;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_NOHUGEPAGE = 15;
    public static final int MADV_POPULATE_READ = 22;
    public static final int MADV_POPULATE_WRITE = 23;

    public static final int MFD_CLOEXEC = 0x0001;
    public static final int MFD_HUGETLB = 0x0004;

    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    /** poll(2)'s "there is data to read" event. */
    public static final short POLLIN = 0x1;

    /** {@code struct pollfd}: the fd, the events to wait for, and the events that happened. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents")).withName("pollfd");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // Never shared between threads: a call and the errno read after it happen on one thread.
    private static final ThreadLocal<MemorySegment> CALL_STATE_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(symbol, descriptor, all);
    }

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL_LONG = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    // Critical: no thread-state transition around the call; only for ioctls that never block.
    private static final MethodHandle IOCTL_LONG_CRITICAL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2),
            Linker.Option.critical(false));
    private static final MethodHandle IOCTL_POINTER = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SIGACTION = downcall("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle PTHREAD_SELF = LINKER.downcallHandle(LIBC.find("pthread_self").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle PTHREAD_KILL = LINKER.downcallHandle(LIBC.find("pthread_kill").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SIGRTMIN = LINKER.downcallHandle(LIBC.find("__libc_current_sigrtmin").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle MEMFD_CREATE = downcall("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private static MemorySegment callState() {
        return CALL_STATE_BUFFER.get();
    }

    /** errno as the last call through this class on the current thread left it. */
    public static int errno() {
        return (int) ERRNO.get(callState(), 0L);
    }

    /** {@code open(path, flags, mode)}: a file descriptor, or -1 with {@link #errno()} set. */
    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(callState(), arena.allocateFrom(path), flags, mode);
        } catch (Throwable t) {
            throw new AssertionError("open downcall failed", t);
        }
    }

    /** {@code close(fd)}: 0, or -1 with {@link #errno()} set. */
    public static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(callState(), fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall failed", t);
        }
    }

    /** {@code ioctl(fd, request, arg)} with an integer argument passed by value. */
    public static int ioctl(int fd, long request, long arg) {
        try {
            return (int) IOCTL_LONG.invokeExact(callState(), fd, request, arg);
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall failed", t);
        }
    }

    /**
     * {@link #ioctl(int, long, long)} as a critical downcall ({@link Linker.Option#critical}): cheaper
     * to enter, but the JVM cannot reach a safepoint until it returns, so only for requests that
     * return at once (KVM_CHECK_EXTENSION, not KVM_RUN).
     */
    public static int ioctlCritical(int fd, long request, long arg) {
        try {
            return (int) IOCTL_LONG_CRITICAL.invokeExact(callState(), fd, request, arg);
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall failed", t);
        }
    }

    /** {@code ioctl(fd, request, arg)} with a pointer to a struct in {@code arg}. */
    public static int ioctl(int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_POINTER.invokeExact(callState(), fd, request, arg);
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall failed", t);
        }
    }

    /**
     * {@code mmap(NULL, length, prot, flags, fd, offset)}, with the mapping's lifetime tied to
     * {@code owner}: closing the arena unmaps it, and any later access through the segment (or a
     * slice of it) fails with IllegalStateException instead of touching unmapped memory.
     *
     * @return a segment of {@code length} bytes at the mapping, or {@code null} with {@link #errno()}
     *     set when mmap failed
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, Arena owner) {
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(callState(), MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw new AssertionError("mmap downcall failed", t);
        }
        if (address.address() == -1L) { // MAP_FAILED
            return null;
        }
        // Safe: the kernel just mapped exactly `length` bytes here, and the mapping lives until
        // `owner` closes, which is also when the segment stops being accessible.
        return address.reinterpret(length, owner, mapping -> munmap(mapping));
    }

    /** {@code munmap(segment, segment.byteSize())}: 0, or -1 with {@link #errno()} set. */
    public static int munmap(MemorySegment mapping) {
        try {
            return (int) MUNMAP.invokeExact(callState(), mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new AssertionError("munmap downcall failed", t);
        }
    }

    /** {@code madvise(segment, segment.byteSize(), advice)}: 0, or -1 with {@link #errno()} set. */
    public static int madvise(MemorySegment range, int advice) {
        try {
            return (int) MADVISE.invokeExact(callState(), range, range.byteSize(), advice);
        } catch (Throwable t) {
            throw new AssertionError("madvise downcall failed", t);
        }
    }

    /** {@code eventfd(initval, flags)}: a file descriptor, or -1 with {@link #errno()} set. */
    public static int eventfd(int initialValue, int flags) {
        try {
            return (int) EVENTFD.invokeExact(callState(), initialValue, flags);
        } catch (Throwable t) {
            throw new AssertionError("eventfd downcall failed", t);
        }
    }

    /** {@code memfd_create(name, flags)}: a file descriptor, or -1 with {@link #errno()} set. */
    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) MEMFD_CREATE.invokeExact(callState(), arena.allocateFrom(name), flags);
        } catch (Throwable t) {
            throw new AssertionError("memfd_create downcall failed", t);
        }
    }

    /** {@code ftruncate(fd, length)}: 0, or -1 with {@link #errno()} set. */
    public static int ftruncate(int fd, long length) {
        try {
            return (int) FTRUNCATE.invokeExact(callState(), fd, length);
        } catch (Throwable t) {
            throw new AssertionError("ftruncate downcall failed", t);
        }
    }

    /** {@code read(fd, buffer, buffer.byteSize())}: bytes read, or -1 with {@link #errno()} set. */
    public static long read(int fd, MemorySegment buffer) {
        try {
            return (long) READ.invokeExact(callState(), fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new AssertionError("read downcall failed", t);
        }
    }

    /** {@code write(fd, buffer, buffer.byteSize())}: bytes written, or -1 with {@link #errno()} set. */
    public static long write(int fd, MemorySegment buffer) {
        try {
            return (long) WRITE.invokeExact(callState(), fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new AssertionError("write downcall failed", t);
        }
    }

    /**
     * {@code poll(fds, count, timeoutMillis)} over {@code count} {@link #POLLFD} structs in {@code fds}:
     * the number of fds with events, 0 on timeout, or -1 with {@link #errno()} set. Blocks the calling
     * thread (a virtual thread's carrier too) for up to {@code timeoutMillis}, or for good when it is -1.
     */
    public static int poll(MemorySegment fds, long count, int timeoutMillis) {
        if (count < 0 || fds.byteSize() < count * POLLFD.byteSize()) {
            throw new IllegalArgumentException("poll over " + count + " fds needs " + count * POLLFD.byteSize()
                    + " bytes of struct pollfd, and the segment has " + fds.byteSize() + ".");
        }
        try {
            return (int) POLL.invokeExact(callState(), fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError("poll downcall failed", t);
        }
    }

    /** glibc's {@code struct sigaction} on x86-64: handler, 1024-bit mask, flags, restorer. */
    private static final StructLayout SIGACTION_LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("sa_handler"),
            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("sa_mask"),
            JAVA_INT.withName("sa_flags"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("sa_restorer"));

    /** {@code SIGRTMIN} as glibc defines it at run time (it keeps the first real-time signals). */
    public static int sigrtmin() {
        try {
            return (int) SIGRTMIN.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError("__libc_current_sigrtmin downcall failed", t);
        }
    }

    /**
     * Installs a handler for {@code signal} that does nothing of consequence, without SA_RESTART,
     * so that the signal only interrupts a blocking system call (KVM_RUN, KVM_PRE_FAULT_MEMORY),
     * which then returns EINTR. The handler is libc's own {@code getpid}: async-signal-safe, no
     * side effects, and no upcall into the JVM from signal context.
     *
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int installInterruptingSignalHandler(int signal) {
        MemorySegment harmless = LIBC.find("getpid").orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(SIGACTION_LAYOUT);
            action.set(ADDRESS, SIGACTION_LAYOUT.byteOffset(PathElement.groupElement("sa_handler")), harmless);
            return (int) SIGACTION.invokeExact(callState(), signal, action, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError("sigaction downcall failed", t);
        }
    }

    /** {@code pthread_self()}: the calling thread's handle, for {@link #pthreadKill}. */
    public static long pthreadSelf() {
        try {
            return (long) PTHREAD_SELF.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError("pthread_self downcall failed", t);
        }
    }

    /**
     * {@code pthread_kill(thread, signal)}: 0 or an error number (pthread functions return it
     * rather than set errno). The caller must know the thread is still alive.
     */
    public static int pthreadKill(long thread, int signal) {
        try {
            return (int) PTHREAD_KILL.invokeExact(thread, signal);
        } catch (Throwable t) {
            throw new AssertionError("pthread_kill downcall failed", t);
        }
    }
}
