// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.libc;

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

    /** {@code open(2)}: open for reading only. */
    public static final int O_RDONLY = 0;
    /** {@code open(2)}: open for reading and writing. */
    public static final int O_RDWR = 2;
    /** {@code open(2)}: a terminal opened does not become the process's controlling terminal. */
    public static final int O_NOCTTY = 0x100;
    /** {@code open(2)}: reads and writes that would block fail with EAGAIN instead. */
    public static final int O_NONBLOCK = 0x800;
    /** {@code open(2)}: close the fd in programs this process executes. */
    public static final int O_CLOEXEC = 0x80000;

    /** {@code mmap(2)}: no access at all. */
    public static final int PROT_NONE = 0;
    /** {@code mmap(2)}: the pages can be read. */
    public static final int PROT_READ = 1;
    /** {@code mmap(2)}: the pages can be written. */
    public static final int PROT_WRITE = 2;
    /** {@code mmap(2)}: writes go to the file (or are shared with other mappings of it). */
    public static final int MAP_SHARED = 0x01;
    /** {@code mmap(2)}: a private copy-on-write mapping. */
    public static final int MAP_PRIVATE = 0x02;
    /** {@code mmap(2)}: memory backed by no file, zero-filled ({@code fd} -1). */
    public static final int MAP_ANONYMOUS = 0x20;
    /** {@code mmap(2)}: reserve no swap space for the mapping. */
    public static final int MAP_NORESERVE = 0x4000;
    /** {@code mmap(2)}: back the mapping with huge pages from the hugetlbfs pool. */
    public static final int MAP_HUGETLB = 0x40000;
    /** {@code mmap(2)}: with {@link #MAP_HUGETLB}, 2 MiB huge pages. */
    public static final int MAP_HUGE_2MB = 21 << 26;

    /** {@code madvise(2)}: drop the pages; anonymous memory reads as zeros afterwards. */
    public static final int MADV_DONTNEED = 4;
    /** {@code madvise(2)}: back the range with transparent huge pages where possible. */
    public static final int MADV_HUGEPAGE = 14;
    /** {@code madvise(2)}: never back the range with transparent huge pages. */
    public static final int MADV_NOHUGEPAGE = 15;
    /** {@code madvise(2)} (Linux 5.14+): fault the pages in, readable, as a read would. */
    public static final int MADV_POPULATE_READ = 22;
    /**
     * {@code madvise(2)} (Linux 5.14+): fault the pages in, writable, as a write would, without changing
     * their contents.
     */
    public static final int MADV_POPULATE_WRITE = 23;

    /** {@code memfd_create(2)}: close the fd in programs this process executes. */
    public static final int MFD_CLOEXEC = 0x0001;
    /** {@code memfd_create(2)}: a file of hugetlbfs huge pages. */
    public static final int MFD_HUGETLB = 0x0004;

    /** {@code eventfd(2)}: close the fd in programs this process executes. */
    public static final int EFD_CLOEXEC = 0x80000;
    /** {@code eventfd(2)}: a read of a zero counter fails with EAGAIN instead of blocking. */
    public static final int EFD_NONBLOCK = 0x800;

    /** {@code setns(2)}: the file descriptor names a network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;

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

    // Each downcall handle in a holder class of its own, made on first use (jextract's idiom): a
    // JVM pays for the handles it calls, not for all of them at Libc's initialization.
    private static final class Open {
        static final MethodHandle HANDLE = downcall("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    }

    private static final class Close {
        static final MethodHandle HANDLE = downcall("close",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class IoctlLong {
        static final MethodHandle HANDLE = downcall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    }

    // Critical: no thread-state transition around the call; only for ioctls that never block.
    private static final class IoctlLongCritical {
        static final MethodHandle HANDLE = downcall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2),
                Linker.Option.critical(false));
    }

    private static final class IoctlPointer {
        static final MethodHandle HANDLE = downcall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    }

    private static final class Mmap {
        static final MethodHandle HANDLE = downcall("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    private static final class Munmap {
        static final MethodHandle HANDLE = downcall("munmap",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Madvise {
        static final MethodHandle HANDLE = downcall("madvise",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final class Eventfd {
        static final MethodHandle HANDLE = downcall("eventfd",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Sigaction {
        static final MethodHandle HANDLE = downcall("sigaction",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class PthreadSelf {
        static final MethodHandle HANDLE = LINKER.downcallHandle(LIBC.find("pthread_self").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG));
    }

    private static final class PthreadKill {
        static final MethodHandle HANDLE = LINKER.downcallHandle(LIBC.find("pthread_kill").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    }

    private static final class Sigrtmin {
        static final MethodHandle HANDLE = LINKER.downcallHandle(LIBC.find("__libc_current_sigrtmin").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT));
    }

    private static final class MemfdCreate {
        static final MethodHandle HANDLE = downcall("memfd_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Ftruncate {
        static final MethodHandle HANDLE = downcall("ftruncate",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    private static final class Read {
        static final MethodHandle HANDLE = downcall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Write {
        static final MethodHandle HANDLE = downcall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Poll {
        static final MethodHandle HANDLE = downcall("poll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final class Setns {
        static final MethodHandle HANDLE = downcall("setns",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static MemorySegment callState() {
        return CALL_STATE_BUFFER.get();
    }

    /** {@return errno as the last call through this class on the current thread left it} */
    public static int errno() {
        return (int) ERRNO.get(callState(), 0L);
    }

    /**
     * {@code open(path, flags, mode)}.
     *
     * @param path the file's path
     * @param flags {@code O_*} bits such as {@link #O_RDWR} and {@link #O_CLOEXEC}
     * @param mode the permission bits of a file that {@code O_CREAT} creates, else ignored
     * @return a file descriptor, or -1 with {@link #errno()} set
     */
    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) Open.HANDLE.invokeExact(callState(), arena.allocateFrom(path), flags, mode);
        } catch (Throwable t) {
            throw new AssertionError("open downcall failed", t);
        }
    }

    /**
     * {@code close(fd)}.
     *
     * @param fd the file descriptor to close
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int close(int fd) {
        try {
            return (int) Close.HANDLE.invokeExact(callState(), fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall failed", t);
        }
    }

    /**
     * {@code ioctl(fd, request, arg)} with an integer argument passed by value.
     *
     * @param fd the file descriptor, such as /dev/kvm, a VM or a vCPU
     * @param request the ioctl number, such as one of {@link dev.vmm.ffm.kvm.KvmIoctls}
     * @param arg the argument, passed in a register
     * @return what the ioctl returns (0 or a value such as a new fd), or -1 with {@link #errno()} set
     */
    public static int ioctl(int fd, long request, long arg) {
        try {
            return (int) IoctlLong.HANDLE.invokeExact(callState(), fd, request, arg);
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall failed", t);
        }
    }

    /**
     * {@link #ioctl(int, long, long)} as a critical downcall ({@link Linker.Option#critical}): cheaper
     * to enter, but the JVM cannot reach a safepoint until it returns, so only for requests that
     * return at once (KVM_CHECK_EXTENSION, not KVM_RUN).
     *
     * @param fd the file descriptor
     * @param request the ioctl number
     * @param arg the argument, passed in a register
     * @return what the ioctl returns, or -1 with {@link #errno()} set
     */
    public static int ioctlCritical(int fd, long request, long arg) {
        try {
            return (int) IoctlLongCritical.HANDLE.invokeExact(callState(), fd, request, arg);
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall failed", t);
        }
    }

    /**
     * {@code ioctl(fd, request, arg)} with a pointer to a struct in {@code arg}.
     *
     * @param fd the file descriptor, such as /dev/kvm, a VM or a vCPU
     * @param request the ioctl number, such as one of {@link dev.vmm.ffm.kvm.KvmIoctls}
     * @param arg the struct the kernel reads or writes, native memory of at least the size the request
     *     encodes
     * @return what the ioctl returns (0 or a value such as a new fd), or -1 with {@link #errno()} set
     */
    public static int ioctl(int fd, long request, MemorySegment arg) {
        try {
            return (int) IoctlPointer.HANDLE.invokeExact(callState(), fd, request, arg);
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall failed", t);
        }
    }

    /**
     * {@code mmap(NULL, length, prot, flags, fd, offset)}, with the mapping's lifetime tied to
     * {@code owner}: closing the arena unmaps it, and any later access through the segment (or a
     * slice of it) fails with IllegalStateException instead of touching unmapped memory.
     *
     * @param length the mapping's size in bytes
     * @param prot {@code PROT_*} bits
     * @param flags {@code MAP_*} bits
     * @param fd the file to map, or -1 with {@link #MAP_ANONYMOUS}
     * @param offset the offset in the file, a multiple of the page size
     * @param owner the arena whose closing unmaps the mapping
     * @return a segment of {@code length} bytes at the mapping, or {@code null} with {@link #errno()}
     *     set when mmap failed
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, Arena owner) {
        MemorySegment address;
        try {
            address = (MemorySegment) Mmap.HANDLE.invokeExact(callState(), MemorySegment.NULL, length, prot, flags, fd, offset);
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

    /**
     * {@code munmap(mapping, mapping.byteSize())}.
     *
     * @param mapping the mapped range to remove
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int munmap(MemorySegment mapping) {
        try {
            return (int) Munmap.HANDLE.invokeExact(callState(), mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new AssertionError("munmap downcall failed", t);
        }
    }

    /**
     * {@code madvise(range, range.byteSize(), advice)}.
     *
     * @param range page-aligned mapped memory
     * @param advice an {@code MADV_*} constant such as {@link #MADV_POPULATE_WRITE}
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int madvise(MemorySegment range, int advice) {
        try {
            return (int) Madvise.HANDLE.invokeExact(callState(), range, range.byteSize(), advice);
        } catch (Throwable t) {
            throw new AssertionError("madvise downcall failed", t);
        }
    }

    /**
     * {@code eventfd(initval, flags)}.
     *
     * @param initialValue the counter's initial value
     * @param flags {@code EFD_*} bits
     * @return a file descriptor, or -1 with {@link #errno()} set
     */
    public static int eventfd(int initialValue, int flags) {
        try {
            return (int) Eventfd.HANDLE.invokeExact(callState(), initialValue, flags);
        } catch (Throwable t) {
            throw new AssertionError("eventfd downcall failed", t);
        }
    }

    /**
     * {@code memfd_create(name, flags)}: an anonymous file in memory.
     *
     * @param name the name shown in /proc/self/fd (not a path; need not be unique)
     * @param flags {@code MFD_*} bits
     * @return a file descriptor, or -1 with {@link #errno()} set
     */
    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) MemfdCreate.HANDLE.invokeExact(callState(), arena.allocateFrom(name), flags);
        } catch (Throwable t) {
            throw new AssertionError("memfd_create downcall failed", t);
        }
    }

    /**
     * {@code ftruncate(fd, length)}.
     *
     * @param fd the file descriptor
     * @param length the file's new size in bytes
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int ftruncate(int fd, long length) {
        try {
            return (int) Ftruncate.HANDLE.invokeExact(callState(), fd, length);
        } catch (Throwable t) {
            throw new AssertionError("ftruncate downcall failed", t);
        }
    }

    /**
     * {@code read(fd, buffer, buffer.byteSize())}.
     *
     * @param fd the file descriptor
     * @param buffer native memory to read into
     * @return the number of bytes read (0 at the end of a file), or -1 with {@link #errno()} set
     */
    public static long read(int fd, MemorySegment buffer) {
        try {
            return (long) Read.HANDLE.invokeExact(callState(), fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new AssertionError("read downcall failed", t);
        }
    }

    /**
     * {@code write(fd, buffer, buffer.byteSize())}.
     *
     * @param fd the file descriptor
     * @param buffer native memory to write from
     * @return the number of bytes written, or -1 with {@link #errno()} set
     */
    public static long write(int fd, MemorySegment buffer) {
        try {
            return (long) Write.HANDLE.invokeExact(callState(), fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new AssertionError("write downcall failed", t);
        }
    }

    /**
     * {@code poll(fds, count, timeoutMillis)} over {@code count} {@link #POLLFD} structs in {@code fds}.
     * Blocks the calling thread (a virtual thread's carrier too) for up to {@code timeoutMillis}, or for
     * good when it is -1.
     *
     * @param fds the {@link #POLLFD} structs; the kernel writes their {@code revents}
     * @param count the number of structs
     * @param timeoutMillis how long to wait at most, in milliseconds; -1 for no limit, 0 to return at once
     * @return the number of fds with events, 0 on timeout, or -1 with {@link #errno()} set
     * @throws IllegalArgumentException when {@code count} is negative or {@code fds} is too small for it
     */
    public static int poll(MemorySegment fds, long count, int timeoutMillis) {
        if (count < 0 || fds.byteSize() < count * POLLFD.byteSize()) {
            throw new IllegalArgumentException("poll over " + count + " fds needs " + count * POLLFD.byteSize()
                    + " bytes of struct pollfd, and the segment has " + fds.byteSize() + ".");
        }
        try {
            return (int) Poll.HANDLE.invokeExact(callState(), fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError("poll downcall failed", t);
        }
    }

    /**
     * {@code setns(fd, nstype)}: moves the calling thread (only it: a namespace is a property of a
     * Linux thread) into the namespace {@code fd} refers to, such as a file under /var/run/netns. A
     * tun/tap device opened afterwards on that thread belongs to that network namespace. Meant for a
     * platform thread of its own: a virtual thread would take its carrier along.
     *
     * @param fd an open namespace file, such as /proc/PID/ns/net or /var/run/netns/NAME
     * @param nstype the kind the namespace must be, such as {@link #CLONE_NEWNET}, or 0 for any
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int setns(int fd, int nstype) {
        try {
            return (int) Setns.HANDLE.invokeExact(callState(), fd, nstype);
        } catch (Throwable t) {
            throw new AssertionError("setns downcall failed", t);
        }
    }

    /** glibc's {@code struct sigaction} on x86-64: handler, 1024-bit mask, flags, restorer. */
    private static final StructLayout SIGACTION_LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("sa_handler"),
            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("sa_mask"),
            JAVA_INT.withName("sa_flags"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("sa_restorer"));

    /** {@return {@code SIGRTMIN} as glibc defines it at run time (it keeps the first real-time signals)} */
    public static int sigrtmin() {
        try {
            return (int) Sigrtmin.HANDLE.invokeExact();
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
     * @param signal the signal, such as one from {@link #sigrtmin()}
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int installInterruptingSignalHandler(int signal) {
        MemorySegment harmless = LIBC.find("getpid").orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(SIGACTION_LAYOUT);
            action.set(ADDRESS, SIGACTION_LAYOUT.byteOffset(PathElement.groupElement("sa_handler")), harmless);
            return (int) Sigaction.HANDLE.invokeExact(callState(), signal, action, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError("sigaction downcall failed", t);
        }
    }

    /** {@return the calling thread's {@code pthread_self()} handle, for {@link #pthreadKill}} */
    public static long pthreadSelf() {
        try {
            return (long) PthreadSelf.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError("pthread_self downcall failed", t);
        }
    }

    /**
     * {@code pthread_kill(thread, signal)}. The caller must know the thread is still alive.
     *
     * @param thread a handle from {@link #pthreadSelf()}
     * @param signal the signal to send
     * @return 0, or an error number (pthread functions return it rather than set errno)
     */
    public static int pthreadKill(long thread, int signal) {
        try {
            return (int) PthreadKill.HANDLE.invokeExact(thread, signal);
        } catch (Throwable t) {
            throw new AssertionError("pthread_kill downcall failed", t);
        }
    }
}
