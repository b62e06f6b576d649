// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.libc.NativeAccess;
import dev.vmm.ffm.tun.TunConstants;
import dev.vmm.ffm.tun.TunIoctls;
import dev.vmm.ffm.tun.ifreq;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * A Linux tap device: an Ethernet interface on the host whose frames a process reads and writes
 * through a file descriptor of /dev/net/tun. This one carries a 12-byte vnet header
 * ({@code IFF_VNET_HDR}, {@code TUNSETVNETHDRSZ} 12: the virtio 1.x {@code virtio_net_hdr_v1})
 * before every frame and no packet information ({@code IFF_NO_PI}), and its fd is non-blocking.
 *
 * <p>{@link #open} creates the interface, or attaches to an existing one of that name (a
 * persistent tap made by {@code ip tuntap add NAME mode tap vnet_hdr}, which a user without
 * CAP_NET_ADMIN may attach to when it was made with {@code user} set to theirs). The interface
 * lives in the network namespace of the thread that opened it, whatever thread uses it later;
 * addresses, routes and bringing it up are the host's business, not this class's. Closing it
 * removes an interface it created; a persistent one stays.
 *
 * <p>Offloads: at {@link #open}, the tap is asked with {@code TUNSETOFFLOAD} which of
 * {@link FramePort.Offload} it accepts ({@link #supportedOffloads()}), then set to none: until
 * {@link #setOffloads} says otherwise, the kernel hands over only fully checksummed, segmented
 * frames. Frames written to it may use any offload the kernel supports.
 *
 * <p>One thread reads, writes and waits at a time; {@link #close()} may come from any thread, and
 * waits for a call in progress (waking one that waits in {@link #awaitReadable}).
 */
public final class Tap implements FramePort {
    /** The tun/tap clone device every tap is opened through. */
    public static final String TUN_DEVICE = "/dev/net/tun";
    /** The longest interface name, in bytes: IFNAMSIZ less the terminating NUL. */
    public static final int MAX_NAME_BYTES = TunConstants.IFNAMSIZ - 1;

    /** Offsets in struct pollfd, apart so that loading Tap does not initialize Libc before open()'s native-access check. */
    private static final class PollFd {
        static final long FD = Libc.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
        static final long EVENTS = Libc.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    }

    private final FileDescriptor fd;
    private final String name;
    private final Set<Offload> supported;
    private volatile EventFd waking; // the eventfd of a call waiting in awaitReadable, for close() to signal

    private Tap(FileDescriptor fd, String name, Set<Offload> supported) {
        this.fd = fd;
        this.name = name;
        this.supported = supported;
    }

    /**
     * Creates tap {@code name}, or attaches to the existing tap of that name, in the calling
     * thread's network namespace.
     *
     * @param name the interface name: 1 to 15 bytes, no '/', ':' or white space, not "." or "..";
     *     a {@code %d} in it becomes the first free number ({@code "vmm%d"} gives vmm0, vmm1, ...)
     * @return the tap, to close when done
     * @throws IllegalArgumentException when {@code name} is not a valid interface name
     * @throws IOException with one sentence saying what is wrong and what to do, when /dev/net/tun
     *     is missing or not accessible, the process may not create or attach the tap, or the name
     *     belongs to another kind of interface or to a tap in use
     */
    public static Tap open(String name) throws IOException {
        checkName(name);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        NativeAccess.require();
        int raw = Libc.open(TUN_DEVICE, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (raw < 0) {
            throw new IOException(cannotOpenTun(Libc.errno()));
        }
        FileDescriptor fd = new FileDescriptor("tap " + name, raw);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = ifreq.allocate(arena);
            MemorySegment.copy(bytes, 0, ifreq.ifr_name(request), ValueLayout.JAVA_BYTE, 0, bytes.length);
            ifreq.ifr_flags(request, (short) (TunConstants.IFF_TAP | TunConstants.IFF_NO_PI | TunConstants.IFF_VNET_HDR));
            if (Libc.ioctl(raw, TunIoctls.TUNSETIFF, request) < 0) {
                throw new IOException(cannotAttach(name, Libc.errno()));
            }
            String actual = ifreq.ifr_name(request).getString(0, StandardCharsets.UTF_8);
            MemorySegment size = arena.allocateFrom(ValueLayout.JAVA_INT, VNET_HEADER_SIZE);
            if (Libc.ioctl(raw, TunIoctls.TUNSETVNETHDRSZ, size) < 0) {
                throw new IOException("Tap " + actual + " refuses a " + VNET_HEADER_SIZE + "-byte vnet header (TUNSETVNETHDRSZ: "
                        + Errno.describe(Libc.errno()) + "): use a Linux kernel of 2.6.32 or later.");
            }
            Set<Offload> supported = probeOffloads(raw);
            if (Libc.ioctl(raw, TunIoctls.TUNSETOFFLOAD, 0) < 0) {
                throw new IOException("Tap " + actual + " refuses to have its offloads turned off (TUNSETOFFLOAD: "
                        + Errno.describe(Libc.errno()) + "): check the kernel's tun driver.");
            }
            return new Tap(fd, actual, supported);
        } catch (IOException | RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Checks an interface name as {@link #open} does, without opening anything.
     *
     * @param name the interface name
     * @throws IllegalArgumentException with one sentence when {@code name} is not a valid interface name
     */
    public static void checkName(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        boolean valid = bytes.length >= 1 && bytes.length <= MAX_NAME_BYTES && !name.equals(".") && !name.equals("..")
                && name.chars().noneMatch(c -> c == '/' || c == ':' || c == 0 || Character.isWhitespace(c));
        if (!valid) {
            throw new IllegalArgumentException("\"" + shown(name) + "\" is not an interface name: give 1 to " + MAX_NAME_BYTES
                    + " bytes without '/', ':' or white space, such as vmm0.");
        }
    }

    /** A name as an error message shows it: on one line (control characters as '?') and at most 40 characters. */
    private static String shown(String name) {
        String line = name.replaceAll("\\p{Cntrl}", "?");
        return line.length() > 40 ? line.substring(0, 40) + "..." : line;
    }

    private static String cannotOpenTun(int errno) {
        if (errno == Errno.ENOENT.value()) {
            return TUN_DEVICE + " does not exist: load the tun module (modprobe tun), or create the node (mknod " + TUN_DEVICE + " c 10 200).";
        }
        if (errno == Errno.EACCES.value() || errno == Errno.EPERM.value()) {
            return "No permission to open " + TUN_DEVICE + ": run as root, or give this user read and write access to it.";
        }
        if (errno == Errno.ENODEV.value() || errno == Errno.ENXIO.value()) {
            return "The kernel has no tun/tap driver behind " + TUN_DEVICE + ": load the tun module (modprobe tun).";
        }
        return TUN_DEVICE + " cannot be opened (" + Errno.describe(errno) + "): check that it is the tun/tap device.";
    }

    private static String cannotAttach(String name, int errno) {
        if (errno == Errno.EPERM.value() || errno == Errno.EACCES.value()) {
            return "No permission to create tap " + name + ": the process needs CAP_NET_ADMIN, or the tap must exist and belong to its user"
                    + " (ip tuntap add " + name + " mode tap user $USER vnet_hdr).";
        }
        if (errno == Errno.EBUSY.value()) {
            return "Tap " + name + " is in use by another file descriptor: close it there, or choose another name.";
        }
        if (errno == Errno.EINVAL.value()) {
            return "Interface " + name + " exists and is not a single-queue tap (a tun device, a multi-queue tap or another kind of interface):"
                    + " choose another name.";
        }
        if (errno == Errno.ENFILE.value() || errno == Errno.EMFILE.value() || errno == Errno.ENOMEM.value()) {
            return "The host is out of resources for tap " + name + " (" + Errno.describe(errno) + "): close some file descriptors or devices and try again.";
        }
        return "Tap " + name + " cannot be created or attached (TUNSETIFF: " + Errno.describe(errno) + "): check the name and the process's permissions.";
    }

    /** Which offloads the kernel accepts, each asked with what it needs. */
    private static Set<Offload> probeOffloads(int raw) {
        Set<Offload> accepted = EnumSet.noneOf(Offload.class);
        if (Libc.ioctl(raw, TunIoctls.TUNSETOFFLOAD, TunConstants.TUN_F_CSUM) == 0) {
            accepted.add(Offload.CHECKSUM);
            for (Offload tso : new Offload[] {Offload.TSO4, Offload.TSO6}) {
                if (Libc.ioctl(raw, TunIoctls.TUNSETOFFLOAD, tunFlags(EnumSet.of(Offload.CHECKSUM, tso))) == 0) {
                    accepted.add(tso);
                }
            }
            Set<Offload> withEcn = EnumSet.copyOf(accepted);
            withEcn.add(Offload.TSO_ECN);
            if (withEcn.size() > 2 && Libc.ioctl(raw, TunIoctls.TUNSETOFFLOAD, tunFlags(withEcn)) == 0) {
                accepted.add(Offload.TSO_ECN);
            }
        }
        return Set.copyOf(accepted);
    }

    private static int tunFlags(Set<Offload> offloads) {
        int flags = 0;
        for (Offload offload : offloads) {
            flags |= switch (offload) {
                case CHECKSUM -> TunConstants.TUN_F_CSUM;
                case TSO4 -> TunConstants.TUN_F_TSO4;
                case TSO6 -> TunConstants.TUN_F_TSO6;
                case TSO_ECN -> TunConstants.TUN_F_TSO_ECN;
            };
        }
        return flags;
    }

    /** {@return the interface's name, as the kernel gave it (a {@code %d} filled in)} */
    public String name() {
        return name;
    }

    @Override
    public Set<Offload> supportedOffloads() {
        return supported;
    }

    /**
     * {@code TUNSETOFFLOAD}: the frames the kernel hands over may use {@code offloads}.
     *
     * @throws IllegalStateException when the tap is closed
     */
    @Override
    public boolean setOffloads(Set<Offload> offloads) {
        int raw = fd.acquire();
        try {
            return Libc.ioctl(raw, TunIoctls.TUNSETOFFLOAD, tunFlags(offloads)) == 0;
        } finally {
            fd.release();
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code into} is not a direct buffer
     * @throws IllegalStateException when the tap is closed
     */
    @Override
    public int read(ByteBuffer into) throws IOException {
        MemorySegment room = direct(into);
        int raw = fd.acquire();
        try {
            long n = Libc.read(raw, room);
            if (n >= 0) {
                into.position(into.position() + (int) n);
                return (int) n;
            }
            int errno = Libc.errno();
            if (errno == Errno.EAGAIN.value() || errno == Errno.EINTR.value()) {
                return 0;
            }
            throw new IOException("Reading a frame from tap " + name + " failed (" + Errno.describe(errno) + "): was its interface deleted?");
        } finally {
            fd.release();
        }
    }

    /**
     * {@inheritDoc} A frame the kernel refuses (a vnet header it finds invalid, EINVAL) or cannot
     * take now is lost, as on a wire.
     *
     * @throws IllegalArgumentException when {@code frame} is not a direct buffer
     * @throws IllegalStateException when the tap is closed
     */
    @Override
    public boolean write(ByteBuffer frame) {
        MemorySegment bytes = direct(frame);
        int raw = fd.acquire();
        try {
            long n = Libc.write(raw, bytes);
            if (n < 0) {
                return false;
            }
            frame.position(frame.position() + (int) n);
            return n == bytes.byteSize();
        } finally {
            fd.release();
        }
    }

    private static MemorySegment direct(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("A tap reads and writes direct buffers only (the kernel copies from native memory): use ByteBuffer.allocateDirect.");
        }
        return MemorySegment.ofBuffer(buffer);
    }

    /**
     * {@inheritDoc} Meant for a platform thread: a virtual thread pins its carrier meanwhile.
     *
     * @throws IllegalStateException when the tap or {@code wake} is closed
     * @throws IOException when poll(2) fails other than with EINTR
     */
    @Override
    public void awaitReadable(EventFd wake) throws IOException {
        int tapFd = fd.acquire();
        try {
            int wakeFd = wake.fd.acquire();
            waking = wake;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment fds = arena.allocate(Libc.POLLFD, 2);
                long size = Libc.POLLFD.byteSize();
                fds.set(ValueLayout.JAVA_INT, PollFd.FD, tapFd);
                fds.set(ValueLayout.JAVA_SHORT, PollFd.EVENTS, Libc.POLLIN);
                fds.set(ValueLayout.JAVA_INT, size + PollFd.FD, wakeFd);
                fds.set(ValueLayout.JAVA_SHORT, size + PollFd.EVENTS, Libc.POLLIN);
                // Errors and hang-ups come back whatever was asked: then the next read says what broke.
                while (Libc.poll(fds, 2, -1) < 0) {
                    int errno = Libc.errno();
                    if (errno != Errno.EINTR.value()) {
                        throw new IOException("Waiting for a frame from tap " + name + " failed (poll: " + Errno.describe(errno) + ").");
                    }
                }
            } finally {
                waking = null;
                wake.fd.release();
            }
        } finally {
            fd.release();
        }
    }

    /** Closes the fd, once no call is in progress; a wait in {@link #awaitReadable} is woken for it. */
    @Override
    public void close() {
        fd.close(() -> {
            EventFd wake = waking;
            if (wake != null) {
                try {
                    wake.signal(1);
                } catch (IllegalStateException e) {
                    // its owner closed it: the wait it served is over
                }
            }
        }, () -> { });
    }

    @Override
    public String toString() {
        return "tap " + name + (fd.isOpen() ? "" : " (closed)");
    }
}
