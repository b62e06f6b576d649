// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import dev.vmm.core.GuestMemory;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.devices.Interrupt;
import dev.vmm.core.virtio.CurrentWorker;
import dev.vmm.core.virtio.VirtioDevice;
import dev.vmm.core.virtio.Virtqueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A virtio socket device (virtio 1.2, section 5.10) whose host side is Unix domain sockets, as
 * Firecracker's hybrid vsock: stream sockets between the guest (its CID given here) and programs
 * on the host (CID 2), with no vhost or AF_VSOCK on the host.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=virtio-vsock}
 *
 * <p><b>Host to guest.</b> The device listens on the Unix socket at the path it was given. A host
 * program connects there and writes {@code CONNECT <port>\n} (at most 32 bytes,
 * within 2 s): the device asks the guest for a connection to that port from a local port of
 * its own choosing (2^30 to 2^31 - 1), and once the guest accepts it writes {@code OK <local port>\n};
 * from then on the socket is the stream. A guest that refuses, or does not answer within 2 s, has
 * the socket closed; so has a line that is not such a CONNECT line.
 *
 * <p><b>Guest to host.</b> A guest that connects to CID 2, port P, reaches the program listening
 * on the Unix socket {@code <path>_P}; when there is none, or it does not accept at once, the guest
 * gets a reset (connection refused).
 *
 * <p><b>What the guest sends</b> is checked field by field: the source CID must be its own and the
 * destination the host's, the type a stream, the length at most {@value #MAX_PACKET} bytes and
 * within the chain; a packet that fails is dropped, or its connection reset, and nothing the
 * driver writes in a packet makes the device throw. A chain too short for the 44-byte header, on
 * the receive or the transmit queue, is malformed: DEVICE_NEEDS_RESET, as for any broken queue rule.
 * The event queue carries one event, TRANSPORT_RESET, after a restore (below).
 *
 * <p><b>Flow control</b> is the spec's credit: each connection offers the guest a buffer of
 * {@value #BUFFER_SIZE} bytes, holds at most that many bytes that the host program has not read
 * yet, and tells the guest of free space before it would stall; a guest that sends beyond its
 * credit has the connection reset. Towards the guest nothing is buffered: bytes are read from the
 * host socket only into an RX buffer of the guest's and within its credit, so a guest that stops
 * reading stops the host program's writes. Half-closes go both ways (SHUTDOWN, and the host
 * socket's end of file or shut output); a connection with both directions ended is reset, and one
 * whose host program does not take the last bytes within 5 s is reset all the same.
 *
 * <p><b>Bounds.</b> At most {@value #MAX_CONNECTIONS} connections, host sockets still sending
 * their CONNECT line included; more are refused. The heap a connection holds is at most its
 * {@value #BUFFER_SIZE}-byte buffer, allocated only while the host program lags behind; control
 * packets waiting for RX buffers are a few bits per connection plus at most 64 resets.
 *
 * <p><b>Threads.</b> As {@link dev.vmm.core.virtio.VirtioBlock}: {@link #activate} starts a worker
 * (a platform thread, "vmm-virtio-vsock", running a selector loop) that does all the socket and
 * queue work; {@link #queueNotified} only wakes it. {@link #reset()} stops the worker, waits for it,
 * and closes every connection's socket; the listening socket stays, and host programs that connect
 * while the device is not active wait in its backlog for the next activation. {@link #close()}
 * closes the listening socket too and removes its file. A failure of the worker's own is reported
 * through {@link VirtioDevice.Faults}.
 *
 * <p><b>Snapshots.</b> {@link #pause()} holds the worker between two rounds without closing
 * anything, so the VM that was saved keeps its connections; host programs' bytes wait in their
 * sockets meanwhile. The connections are not saved: a device {@linkplain #restored() restored}
 * from a snapshot starts with none, and sends the guest a TRANSPORT_RESET event, on which the
 * guest's driver resets every connection it had (its listening sockets stay), as after
 * Firecracker's snapshot restore.
 */
public final class VirtioVsock implements VirtioDevice, AutoCloseable {
    /** The virtio device ID of a socket device. */
    public static final int DEVICE_TYPE = 19;
    /** The lowest context ID a guest may have: 0 to 2 are the hypervisor's, loopback's and the host's. */
    public static final long MIN_GUEST_CID = 3;
    /** The highest context ID a guest may have: only 32 bits are used, and 2^32 - 1 means any. */
    public static final long MAX_GUEST_CID = 0xffff_fffeL;
    /** Each of the three queues' maximum size (receive, transmit, event). */
    public static final int QUEUE_SIZE = 256;
    /** The most connections at once, host sockets still sending their CONNECT line included. */
    public static final int MAX_CONNECTIONS = 1024;
    /** The receive buffer each connection offers the guest (buf_alloc): the most bytes it holds for a host program that lags. */
    public static final int BUFFER_SIZE = 256 << 10;
    /** The largest payload of one packet, either way (Linux's VIRTIO_VSOCK_MAX_PKT_BUF_SIZE). */
    public static final int MAX_PACKET = 64 << 10;

    private static final int CONFIG_SIZE = 8;
    private static final int MAX_SOCKET_PATH = 107; // sun_path holds 108 bytes with the terminating NUL

    /** How long the worker waits, and how much it holds: the defaults, or shorter in tests. */
    record Limits(int maxConnections, int bufAlloc, long connectLineNanos, long requestNanos, long closeNanos) {
        static final Limits DEFAULT = new Limits(MAX_CONNECTIONS, BUFFER_SIZE,
                TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(5));
    }

    /**
     * What the worker holds now, and the most it held, for tests.
     *
     * @param connections connections open
     * @param handshakes host sockets still sending their CONNECT line
     * @param hostBoundBytes bytes from the guest waiting for host programs, all connections together
     * @param maxHostBoundBytes the most one connection held
     * @param pendingPackets connections with a packet for the guest, and resets owed, waiting for RX buffers
     * @param maxPendingPackets the most there were
     * @param droppedPackets packets of the guest's dropped, and resets the guest was owed but never got
     * @param resets resets sent to the guest
     */
    record Counters(int connections, int handshakes, long hostBoundBytes, long maxHostBoundBytes,
                    int pendingPackets, int maxPendingPackets, long droppedPackets, long resets) {
    }

    private final long guestCid;
    private final Path socket;
    private final ServerSocketChannel listener;
    private final Limits limits;
    private final byte[] config;
    private final CurrentWorker<VsockMuxer> worker = new CurrentWorker<>();
    private VsockMuxer last; // guarded by this: the last worker, for its counters

    private VirtioVsock(long guestCid, Path socket, ServerSocketChannel listener, Limits limits) {
        this.guestCid = guestCid;
        this.socket = socket;
        this.listener = listener;
        this.limits = limits;
        this.config = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(0, guestCid).array();
    }

    /**
     * A device for the guest with context ID {@code guestCid}, listening on a new Unix socket at
     * {@code socket}.
     *
     * @param guestCid the guest's context ID, 3 to 2^32 - 2
     * @param socket where to create the listening socket: a path that does not exist yet, in a folder that does
     * @return the device, to close when done (which removes the socket file)
     * @throws IllegalArgumentException when {@code guestCid} is reserved or out of range
     * @throws BootException when the socket cannot be created there
     */
    public static VirtioVsock open(long guestCid, Path socket) {
        return open(guestCid, socket, Limits.DEFAULT);
    }

    static VirtioVsock open(long guestCid, Path socket, Limits limits) {
        if (guestCid < MIN_GUEST_CID || guestCid > MAX_GUEST_CID) {
            throw new IllegalArgumentException("A guest CID is 3 to 4294967294 (0 to 2 are the hypervisor's, loopback's and the host's,"
                    + " and only 32 bits are used), not " + Long.toUnsignedString(guestCid) + ": give another.");
        }
        String what = "Vsock socket " + socket;
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH) {
            throw new BootException(what + " is " + length + " bytes long, more than the 107 of a Unix socket path: give a shorter path.");
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new BootException(what + " already exists: remove it if an earlier run left it, or give another path.");
        }
        Path folder = socket.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new BootException(what + " cannot be created because its folder " + folder + " does not exist: create it or give another path.");
        }
        ServerSocketChannel listener = null;
        try {
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(socket), 128);
            listener.configureBlocking(false);
            return new VirtioVsock(guestCid, socket, listener, limits);
        } catch (IOException e) {
            if (listener != null) {
                try {
                    listener.close();
                } catch (IOException ignored) {
                    // it was never bound, or is closed all the same
                }
            }
            throw new BootException(what + " cannot be created (" + e.getMessage() + "): check the folder's permissions, or give another path.");
        }
    }

    /** {@return the guest's context ID, as the driver reads it in the configuration space} */
    public long guestCid() {
        return guestCid;
    }

    /** {@return the path of the listening socket; a guest's connection to port P goes to this path with "_P" appended} */
    public Path socket() {
        return socket;
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    /** {@return no feature bits of its own: a stream socket is what virtio 1.x offers without VIRTIO_VSOCK_F_STREAM} */
    @Override
    public long features() {
        return 0;
    }

    @Override
    public int[] queueMaxSizes() {
        return new int[] {QUEUE_SIZE, QUEUE_SIZE, QUEUE_SIZE};
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        System.arraycopy(config, offset, data, 0, data.length);
    }

    /** Ignored: guest_cid is the device's to say. */
    @Override
    public void writeConfig(int offset, byte[] data) {
    }

    /**
     * Starts the worker on the receive and transmit queues; a closed device starts none. When the
     * worker's selector cannot be opened (out of descriptors), {@code faults} hears of it and the
     * device serves nothing until the next activation.
     */
    @Override
    public synchronized void activate(long features, GuestMemory memory, List<Virtqueue> queues, Interrupt usedBuffers, Faults faults) {
        worker.start(faults, () -> last = newMuxer(queues, usedBuffers, faults)); // last: its counters outlive it
    }

    private VsockMuxer newMuxer(List<Virtqueue> queues, Interrupt usedBuffers, Faults faults) {
        try {
            return new VsockMuxer(guestCid, socket, listener, limits, queues.get(0), queues.get(1), queues.get(2), usedBuffers, faults);
        } catch (IOException e) {
            throw new UncheckedIOException("The vsock device cannot open its selector: " + e.getMessage(), e);
        }
    }

    /** Wakes the worker; no socket or queue work here. */
    @Override
    public synchronized void queueNotified(int queue) {
        worker.wake();
    }

    /**
     * Holds the worker between two rounds, the RX chains it held given back to the ring; its
     * connections and their host sockets stay open, for {@link #resume()}.
     */
    @Override
    public synchronized void pause() {
        if (worker.thread() != null) {
            last.park();
        }
    }

    /** Lets the held worker go on, where it was. */
    @Override
    public synchronized void resume() {
        if (worker.thread() != null) {
            last.unpark();
        }
    }

    /** Owes the guest a TRANSPORT_RESET event: the connections it had at the snapshot are not here. */
    @Override
    public synchronized void restored() {
        if (worker.thread() != null) {
            last.transportReset();
        }
    }

    /** Stops the worker and waits for it; every connection's socket is closed, the listening socket kept. */
    @Override
    public synchronized void reset() {
        worker.stop();
    }

    /** Stops the worker as {@link #reset()} does, closes the listening socket and removes its file; the device serves nothing more. */
    @Override
    public synchronized void close() {
        if (!worker.close()) {
            return;
        }
        try {
            listener.close();
        } catch (IOException e) {
            // closed all the same
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the folder went, or its permissions changed: nothing else to release
        }
    }

    /** The current worker thread, for tests. */
    Thread workerThread() {
        return worker.thread();
    }

    /** What the current or last worker holds, for tests. */
    synchronized Counters counters() {
        return last == null ? new Counters(0, 0, 0, 0, 0, 0, 0, 0) : last.counters();
    }
}
