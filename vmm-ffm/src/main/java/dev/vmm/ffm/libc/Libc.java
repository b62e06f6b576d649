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
 * Downcalls into libc: most through its {@code syscall(2)}, one downcall shape for them all (the
 * JDK links each shape on first use, which is most of a JVM's time to its first KVM_RUN), the rest
 * through the functions themselves. Each call captures errno into a buffer owned by the calling
 * thread, so a failed call is followed by {@link #errno()} on the same thread, as in C. Calls return
 * what the C function or system call returns; turning -1 into an exception is the typed layer's job.
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

    /**
     * syscall(2): one downcall shape for every call whose arguments are numbers, or pointers to
     * memory that the calling thread owns for the call's length. The JDK links each distinct
     * shape on first use (6 to 9 ms each, measured), so the calls that start a VM share this one.
     *
     * <p>Linked as a function of seven fixed {@code long}s, not as the variadic function it is:
     * on x86-64 (System V) a call whose arguments are all integers passes them in the same
     * registers and stack slots either way, and the one difference, {@code %al} holding how many
     * vector registers carry arguments, is read only by a C callee that spills them for
     * {@code va_arg} (glibc's syscall(2) is assembly that ignores it; a C one, as musl's, at most
     * spills registers it never reads). The JDK's variadic linking costs more at start-up: 50.9
     * against 32.2 ms to link this handle and make a first call in a fresh JVM with an AOT cache,
     * 85.9 against 77.2 ms without (15 runs each, BENCHMARKS.md).
     */
    private static final class Syscall {
        static final MethodHandle HANDLE = downcall("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    }

    // Linux x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
    private static final long SYS_CLOSE = 3, SYS_MMAP = 9, SYS_MUNMAP = 11, SYS_IOCTL = 16, SYS_MADVISE = 28, SYS_FTRUNCATE = 77,
            SYS_GETTID = 186, SYS_TGKILL = 234, SYS_OPENAT = 257, SYS_EVENTFD2 = 290, SYS_SETNS = 308, SYS_MEMFD_CREATE = 319;
    /** openat(2)'s "relative to the working directory". */
    private static final long AT_FDCWD = -100;

    private static final class Pid { // only a kick needs it
        static final long VALUE = ProcessHandle.current().pid();
    }

    // Critical: no thread-state transition around the call; only for ioctls that never block.
    private static final class IoctlLongCritical {
        static final MethodHandle HANDLE = downcall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2),
                Linker.Option.critical(false));
    }

    private static final class Sigaction {
        static final MethodHandle HANDLE = downcall("sigaction",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class Sigrtmin {
        static final MethodHandle HANDLE = LINKER.downcallHandle(LIBC.find("__libc_current_sigrtmin").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT));
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

    private static MemorySegment callState() {
        return CALL_STATE_BUFFER.get();
    }

    /** {@code syscall(number, a1, ..., a6)}: the result, or -1 with errno set. */
    private static long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) Syscall.HANDLE.invokeExact(callState(), number, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw new AssertionError("system call " + number + " failed in its downcall", t);
        }
    }

    /**
     * The address of {@code memory} for a system call, checked: native, and its arena open. The
     * caller keeps it open until the call returns, as a confined arena does by construction.
     */
    private static long address(MemorySegment memory) {
        if (!memory.isNative()) {
            throw new IllegalArgumentException("A system call reads and writes native memory only, not a heap segment.");
        }
        if (!memory.scope().isAlive()) {
            throw new IllegalStateException("The memory given to a system call was already freed.");
        }
        return memory.address();
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
            return (int) syscall(SYS_OPENAT, AT_FDCWD, arena.allocateFrom(path).address(), flags, mode, 0, 0);
        }
    }

    /**
     * {@code close(fd)}.
     *
     * @param fd the file descriptor to close
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int close(int fd) {
        return (int) syscall(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
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
        return (int) syscall(SYS_IOCTL, fd, request, arg, 0, 0, 0);
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
     *     encodes, whose arena stays open until the call returns (as a confined arena's does)
     * @return what the ioctl returns (0 or a value such as a new fd), or -1 with {@link #errno()} set
     * @throws IllegalArgumentException when {@code arg} is a heap segment
     * @throws IllegalStateException when {@code arg}'s arena is closed
     */
    public static int ioctl(int fd, long request, MemorySegment arg) {
        return (int) syscall(SYS_IOCTL, fd, request, address(arg), 0, 0, 0);
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
        long address = syscall(SYS_MMAP, 0, length, prot, flags, fd, offset);
        if (address == -1L) { // MAP_FAILED
            return null;
        }
        // Safe: the kernel just mapped exactly `length` bytes here, and the mapping lives until
        // `owner` closes, which is also when the segment stops being accessible.
        return MemorySegment.ofAddress(address).reinterpret(length, owner, mapping -> munmap(mapping));
    }

    /**
     * {@code munmap(mapping, mapping.byteSize())}.
     *
     * @param mapping the mapped range to remove
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int munmap(MemorySegment mapping) {
        return (int) syscall(SYS_MUNMAP, mapping.address(), mapping.byteSize(), 0, 0, 0, 0);
    }

    /**
     * {@code madvise(range, range.byteSize(), advice)}.
     *
     * @param range page-aligned mapped memory
     * @param advice an {@code MADV_*} constant such as {@link #MADV_POPULATE_WRITE}
     * @return 0, or -1 with {@link #errno()} set
     * @throws IllegalArgumentException when {@code range} is a heap segment
     * @throws IllegalStateException when {@code range}'s arena is closed
     */
    public static int madvise(MemorySegment range, int advice) {
        return (int) syscall(SYS_MADVISE, address(range), range.byteSize(), advice, 0, 0, 0);
    }

    /**
     * {@code eventfd(initval, flags)}.
     *
     * @param initialValue the counter's initial value
     * @param flags {@code EFD_*} bits
     * @return a file descriptor, or -1 with {@link #errno()} set
     */
    public static int eventfd(int initialValue, int flags) {
        return (int) syscall(SYS_EVENTFD2, initialValue, flags, 0, 0, 0, 0);
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
            return (int) syscall(SYS_MEMFD_CREATE, arena.allocateFrom(name).address(), flags, 0, 0, 0, 0);
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
        return (int) syscall(SYS_FTRUNCATE, fd, length, 0, 0, 0, 0);
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
        return (int) syscall(SYS_SETNS, fd, nstype, 0, 0, 0, 0);
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

    /** {@return the calling thread's Linux thread ID, {@code gettid()}, for {@link #signalThread}} */
    public static int gettid() {
        return (int) syscall(SYS_GETTID, 0, 0, 0, 0, 0, 0);
    }

    /**
     * {@code tgkill(getpid(), tid, signal)}: {@code signal} to one thread of this process. The
     * caller must know the thread is still alive (a thread ID is reused once its thread ends).
     *
     * @param tid a thread ID from {@link #gettid()}
     * @param signal the signal to send
     * @return 0, or -1 with {@link #errno()} set
     */
    public static int signalThread(int tid, int signal) {
        return (int) syscall(SYS_TGKILL, Pid.VALUE, tid, signal, 0, 0, 0);
    }
}
