// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import dev.vmm.core.devices.Interrupt;
import dev.vmm.core.virtio.DescriptorChain;
import dev.vmm.core.virtio.VirtioDevice.Faults;
import dev.vmm.core.virtio.VirtioWorker;
import dev.vmm.core.virtio.Virtqueue;
import dev.vmm.core.virtio.VirtqueueException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static dev.vmm.core.virtio.vsock.VsockHeader.HOST_CID;
import static dev.vmm.core.virtio.vsock.VsockHeader.OP_REQUEST;
import static dev.vmm.core.virtio.vsock.VsockHeader.OP_RST;
import static dev.vmm.core.virtio.vsock.VsockHeader.TYPE_STREAM;

/**
 * One activation's worker: a selector loop on its own platform thread that moves packets between
 * the vsock queues and the host's Unix sockets. It pops the TX queue and routes each packet to its
 * connection (or opens one, or answers RST), holds the RX chains the driver offers until it has a
 * packet for them, accepts host programs on the listener and reads their CONNECT line, and resets
 * what takes too long. It touches the queues, guest memory and the sockets, and nothing else
 * touches them meanwhile; the transport reaches it only through {@link #wake()}, and the device's
 * {@link dev.vmm.core.virtio.CurrentWorker} stops it.
 *
 * <p>Everything is bounded. Connections and host sockets still handshaking, together, are at most
 * the limit (more are refused: an RST to the guest, a closed socket to the host). What the guest
 * is owed is a few bits per connection (a flood of CREDIT_REQUESTs is one CREDIT_UPDATE), plus
 * RSTs for packets that belong to no connection, at most {@value #MAX_ORPHAN_RESETS} (the oldest is
 * dropped: the guest's own timeouts end such a socket). The RX chains held are at most the queue's
 * size, and the TX queue is popped at most its size per round, so a driver that keeps moving its
 * index cannot hold the thread.
 *
 * <p><b>Snapshots.</b> {@link #park()} holds the loop between two rounds, for as long as a snapshot
 * takes: the RX chains it held go back to the ring first ({@link Virtqueue#undoPop}), so the
 * snapshot saves them as available, while the connections and their host sockets stay, as does
 * everything owed to the guest; {@link #unpark()} lets it go on, its deadlines moved by the time
 * it was held. A muxer of a restored device, whose connections are gone, owes the guest a
 * TRANSPORT_RESET event ({@link #transportReset()}): it goes into the event queue's first chain,
 * at once or when the driver offers one, and the guest resets every connection it had.
 */
final class VsockMuxer extends VirtioWorker {
    /** RSTs waiting for RX buffers that answer packets of no connection. */
    static final int MAX_ORPHAN_RESETS = 64;
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int ACCEPTS_PER_ROUND = 16;
    private static final int EVENT_SIZE = 4; // struct virtio_vsock_event: le32 id

    private final long guestCid;
    private final Path socketPath;
    private final ServerSocketChannel listener;
    private final VirtioVsock.Limits limits;
    private final Virtqueue rx;
    private final Virtqueue tx;
    private final Virtqueue events;
    private final Interrupt usedBuffers;
    private final Faults faults;
    private final Selector selector;

    private SelectionKey listenerKey;
    private final Map<Long, VsockConnection> connections = new HashMap<>();
    private final Set<Integer> hostPorts = new HashSet<>(); // local ports of host-initiated connections
    private final List<HostHandshake> handshakes = new ArrayList<>();
    private final ArrayDeque<VsockConnection> ready = new ArrayDeque<>(); // connections with a packet for the guest
    private final long[] orphanResets = new long[MAX_ORPHAN_RESETS]; // a ring of connection keys
    private int orphanHead;
    private int orphanCount;
    private final ArrayDeque<DescriptorChain> rxBuffers = new ArrayDeque<>();
    private final byte[] header = new byte[VsockHeader.SIZE];
    private final ByteBuffer staging = ByteBuffer.allocateDirect(VirtioVsock.MAX_PACKET);
    // Where the local ports of host-initiated connections start: at random, so that a restored guest,
    // whose sockets of the connections it had may linger a moment after TRANSPORT_RESET, never
    // gets a REQUEST from a port one of them still holds (it would answer RST).
    private int lastHostPort = (1 << 30) | ThreadLocalRandom.current().nextInt(1 << 30);
    private long nextSweep;
    private long acceptPausedUntil; // 0 while accepting
    private volatile boolean transportResetOwed;

    // A pause for a snapshot: guarded by parking.
    private final Object parking = new Object();
    private boolean parkAsked;
    private boolean parked;
    private boolean ended;

    // What the device reports (VirtioVsock.Counters): written here, read by any thread.
    private volatile int connectionCount;
    private volatile int handshakeCount;
    private volatile long hostBoundBytes;
    private volatile long maxHostBoundBytes;
    private volatile int pending;
    private volatile int maxPending;
    private volatile long droppedPackets;
    private volatile long resets;

    VsockMuxer(long guestCid, Path socketPath, ServerSocketChannel listener, VirtioVsock.Limits limits,
               Virtqueue rx, Virtqueue tx, Virtqueue events, Interrupt usedBuffers, Faults faults) throws IOException {
        super("vmm-virtio-vsock");
        this.guestCid = guestCid;
        this.socketPath = socketPath;
        this.listener = listener;
        this.limits = limits;
        this.rx = rx;
        this.tx = tx;
        this.events = events;
        this.usedBuffers = usedBuffers;
        this.faults = faults;
        this.selector = Selector.open();
    }

    /**
     * A queue was notified, or the worker stopped: the loop looks at the queues, or ends (also
     * when parked). From any thread; it blocks on nothing (the parking lock is only ever held briefly).
     */
    @Override
    protected void wake() {
        selector.wakeup();
        synchronized (parking) {
            parking.notifyAll();
        }
    }

    /**
     * Holds the loop between two rounds, its RX chains given back to the ring, and returns once it
     * is held: from then until {@link #unpark()} it touches neither the queues nor guest memory. It
     * returns at once when the loop has ended.
     */
    void park() {
        boolean interrupted = false;
        synchronized (parking) {
            parkAsked = true;
            selector.wakeup();
            while (!parked && !ended) {
                try {
                    parking.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // kept for the caller: the snapshot must not start before the loop is held
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets a {@link #park() parked} loop go on. */
    void unpark() {
        synchronized (parking) {
            parkAsked = false;
            parking.notifyAll();
        }
    }

    /** The device was restored from a snapshot, without the connections: the guest is owed a TRANSPORT_RESET event. */
    void transportReset() {
        transportResetOwed = true;
        selector.wakeup();
    }

    VirtioVsock.Counters counters() {
        return new VirtioVsock.Counters(connectionCount, handshakeCount, hostBoundBytes, maxHostBoundBytes, pending, maxPending, droppedPackets, resets);
    }

    @Override
    public void run() {
        try {
            listenerKey = listener.register(selector, SelectionKey.OP_ACCEPT);
            while (!stopped()) {
                holdWhileParked();
                if (transportResetOwed) {
                    sendTransportReset();
                }
                long now = System.nanoTime();
                boolean rxFull = takeRxBuffers();
                boolean txLeft = transmit(now);
                deliver(now);
                if (now - nextSweep >= 0) {
                    sweep(now);
                    nextSweep = now + SWEEP_NANOS;
                }
                // Another round at once when one round did not finish: chains left on the transmit
                // queue, the receive queue not looked at to its end (with EVENT_IDX the driver
                // would not notify for what it adds there), or more to deliver than one round took.
                if (txLeft || rxFull && rxBuffers.size() < rx.size() || !rxBuffers.isEmpty() && (orphanCount > 0 || !ready.isEmpty())) {
                    selector.selectNow();
                } else if (!connections.isEmpty() || !handshakes.isEmpty() || acceptPausedUntil != 0) {
                    selector.select(TimeUnit.NANOSECONDS.toMillis(SWEEP_NANOS)); // deadlines to watch
                } else {
                    selector.select();
                }
                if (!stopped()) {
                    handleSelected(System.nanoTime());
                }
            }
        } catch (VirtqueueException e) {
            faults.needsReset(e); // and serve nothing more: the transport waits for a reset
        } catch (Throwable t) { // never a silent death that leaves the driver waiting
            faults.failed(t);
        } finally {
            closeEverything();
            synchronized (parking) {
                ended = true;
                parking.notifyAll();
            }
        }
    }

    /** While a snapshot is taken: gives the RX chains back, then waits for unpark() or a stop, and moves the deadlines by the wait. */
    private void holdWhileParked() {
        long start;
        synchronized (parking) {
            if (!parkAsked) {
                return;
            }
            rx.undoPop(rxBuffers);
            rxBuffers.clear();
            parked = true;
            parking.notifyAll();
            start = System.nanoTime();
            while (parkAsked && !stopped()) {
                try {
                    parking.wait();
                } catch (InterruptedException e) {
                    // nobody interrupts the worker; unpark() and stop() are the ways out
                }
            }
            parked = false;
        }
        long held = System.nanoTime() - start;
        for (VsockConnection c : connections.values()) {
            c.postpone(held);
        }
        for (HostHandshake h : handshakes) {
            h.deadline += held;
        }
        nextSweep += held;
    }

    /** The TRANSPORT_RESET event (virtio_vsock_event, id 0) into the event queue's next chain; owed still while there is none. */
    private void sendTransportReset() throws VirtqueueException {
        Optional<DescriptorChain> next = events.pop();
        if (next.isEmpty()) {
            return; // the driver's next notification of the event queue wakes the loop
        }
        DescriptorChain chain = next.get();
        if (chain.writableLength() < EVENT_SIZE) {
            throw new VirtqueueException("Chain " + chain.head() + " of the vsock event queue has " + chain.writableLength()
                    + " device-writable bytes, fewer than the 4 of an event.");
        }
        chain.write(0, new byte[EVENT_SIZE]); // id 0: VIRTIO_VSOCK_EVENT_TRANSPORT_RESET
        events.addUsed(chain, EVENT_SIZE);
        transportResetOwed = false;
        if (events.needsNotification()) {
            usedBuffers.trigger();
        }
    }

    /**
     * Holds every RX chain the driver offers, up to the queue's size: a packet for the guest goes
     * into the first. {@return whether it stopped with chains held to the queue's size, before it
     * saw the ring empty}
     */
    private boolean takeRxBuffers() throws VirtqueueException {
        while (rxBuffers.size() < rx.size()) {
            Optional<DescriptorChain> next = rx.pop();
            if (next.isEmpty()) {
                return false;
            }
            DescriptorChain chain = next.get();
            if (chain.writableLength() < VsockHeader.SIZE) {
                throw new VirtqueueException("Chain " + chain.head() + " of the vsock receive queue has " + chain.writableLength()
                        + " device-writable bytes, fewer than the 44 of a packet header.");
            }
            rxBuffers.add(chain);
        }
        return true;
    }

    /**
     * The packets the driver sent, at most the queue's size of them, each chain returned at once:
     * its bytes are taken or its connection reset. {@return whether it stopped before the ring was empty}
     */
    private boolean transmit(long now) throws VirtqueueException {
        boolean left = true;
        for (int i = 0; i < tx.size(); i++) {
            Optional<DescriptorChain> next = tx.pop();
            if (next.isEmpty()) {
                left = false;
                break;
            }
            DescriptorChain chain = next.get();
            if (chain.readableLength() < VsockHeader.SIZE) {
                throw new VirtqueueException("Chain " + chain.head() + " of the vsock transmit queue has " + chain.readableLength()
                        + " device-readable bytes, fewer than the 44 of a packet header.");
            }
            chain.read(0, header);
            fromGuest(VsockHeader.decode(header), chain, now);
            tx.addUsed(chain, 0);
        }
        if (tx.needsNotification()) {
            usedBuffers.trigger();
        }
        return left && tx.size() > 0;
    }

    /** Routes one packet of the guest's, its header checked here: nothing it holds can make the device throw. */
    private void fromGuest(VsockHeader h, DescriptorChain chain, long now) {
        if (h.srcCid() != guestCid || h.dstCid() != HOST_CID) {
            droppedPackets++; // another guest's address, or for a CID that is not here: nobody to answer
            return;
        }
        VsockConnection c = connections.get(VsockConnection.key(h.dstPort(), h.srcPort()));
        boolean valid = h.type() == TYPE_STREAM
                && Integer.toUnsignedLong(h.length()) <= Math.min(VirtioVsock.MAX_PACKET, chain.readableLength() - VsockHeader.SIZE);
        if (c == null) {
            if (valid && h.op() == OP_REQUEST) {
                connectToHost(h, now);
            } else if (h.op() != OP_RST) { // an RST is never answered
                if (!valid) {
                    droppedPackets++;
                }
                orphanReset(h.dstPort(), h.srcPort());
            }
            return;
        }
        if (valid && h.op() == OP_RST) {
            remove(c, false);
            return;
        }
        int before = c.hostBoundBytes();
        if (!valid) {
            droppedPackets++;
            c.kill(h.type() != TYPE_STREAM ? "type " + h.type() + " is not a stream" : "a length of " + Integer.toUnsignedString(h.length()));
        } else if (h.op() == OP_REQUEST) {
            c.kill("a REQUEST for a connection that exists");
        } else {
            c.fromGuest(h, chain, staging, now);
        }
        changed(c, before);
    }

    /** The guest's REQUEST to host port P: a connection to the listener at {@code <socket path>_P}, or an RST. */
    private void connectToHost(VsockHeader request, long now) {
        if (connections.size() + handshakes.size() >= limits.maxConnections()) {
            orphanReset(request.dstPort(), request.srcPort());
            return;
        }
        SocketChannel host = null;
        try {
            host = SocketChannel.open(StandardProtocolFamily.UNIX);
            host.configureBlocking(false);
            // A Unix socket connects at once or not at all (EAGAIN when the listener's backlog is full).
            if (!host.connect(UnixDomainSocketAddress.of(socketPath + "_" + Integer.toUnsignedString(request.dstPort())))) {
                throw new IOException("the connection did not complete at once");
            }
            VsockConnection c = VsockConnection.fromGuest(guestCid, request, host, limits);
            c.key = host.register(selector, 0, c);
            connections.put(c.key(), c);
            connectionCount = connections.size();
            changed(c, 0);
        } catch (IOException | RuntimeException e) { // no listener, a path too long, out of descriptors
            close(host);
            orphanReset(request.dstPort(), request.srcPort());
        }
    }

    /**
     * After anything that may have changed {@code c}: the buffered-bytes count, a reset carried
     * out, the selection interest, a place in the queue for the guest.
     */
    private void changed(VsockConnection c, int hostBoundBefore) {
        hostBoundBytes += c.hostBoundBytes() - hostBoundBefore;
        if (c.killed() != null) {
            remove(c, true);
            return;
        }
        maxHostBoundBytes = Math.max(maxHostBoundBytes, c.hostBoundBytes());
        c.key.interestOps(c.interestOps());
        if (!c.queued && c.hasWork()) {
            c.queued = true;
            ready.add(c);
            countPending();
        }
    }

    /** Closes {@code c}'s host socket and forgets it; {@code reset}: the guest gets an RST. */
    private void remove(VsockConnection c, boolean reset) {
        hostBoundBytes -= c.hostBoundBytes();
        connections.remove(c.key());
        if (c.hostInitiated) {
            hostPorts.remove(c.localPort);
        }
        c.removed = true;
        c.key.cancel();
        close(c.host);
        connectionCount = connections.size();
        if (reset) {
            orphanReset(c.localPort, c.peerPort);
        }
    }

    /** An RST from host port {@code localPort} to guest port {@code peerPort} is owed; the oldest is dropped when there are too many. */
    private void orphanReset(int localPort, int peerPort) {
        if (orphanCount == MAX_ORPHAN_RESETS) {
            orphanHead = (orphanHead + 1) % MAX_ORPHAN_RESETS;
            orphanCount--;
            droppedPackets++;
        }
        orphanResets[(orphanHead + orphanCount) % MAX_ORPHAN_RESETS] = VsockConnection.key(localPort, peerPort);
        orphanCount++;
        countPending();
    }

    private void countPending() {
        int n = ready.size() + orphanCount;
        pending = n;
        if (n > maxPending) {
            maxPending = n;
        }
    }

    /** Fills the RX chains held with what the guest is owed: the RSTs first, then the connections in turn. */
    private void deliver(long now) {
        for (int budget = orphanCount + ready.size(); budget > 0 && !rxBuffers.isEmpty(); budget--) {
            DescriptorChain chain = rxBuffers.peek();
            int used;
            if (orphanCount > 0) {
                long key = orphanResets[orphanHead];
                orphanHead = (orphanHead + 1) % MAX_ORPHAN_RESETS;
                orphanCount--;
                new VsockHeader(HOST_CID, guestCid, (int) (key >>> 32), (int) key, 0, TYPE_STREAM, OP_RST, 0, 0, 0).encode(header);
                chain.write(0, header);
                used = VsockHeader.SIZE;
                resets++;
            } else {
                VsockConnection c = ready.poll();
                c.queued = false;
                if (c.removed) {
                    continue;
                }
                int before = c.hostBoundBytes();
                used = c.toGuest(chain, header, staging, now);
                changed(c, before); // back at the end of the queue if it has more
            }
            countPending();
            if (used > 0) {
                rxBuffers.poll();
                rx.addUsed(chain, used);
            }
        }
        if (rx.needsNotification()) {
            usedBuffers.trigger();
        }
    }

    private void handleSelected(long now) {
        for (SelectionKey key : selector.selectedKeys()) {
            if (!key.isValid()) {
                continue;
            }
            switch (key.attachment()) {
                case VsockConnection c when !c.removed -> {
                    int before = c.hostBoundBytes();
                    if (key.isReadable()) {
                        c.hostReadable();
                    }
                    if (key.isWritable()) {
                        c.hostWritable(now);
                    }
                    changed(c, before);
                }
                case HostHandshake h -> handshake(h, now);
                case null -> accept(now);
                default -> {
                }
            }
        }
        selector.selectedKeys().clear();
    }

    /** Host programs connected to the listener: each gets the time of the limit to send its CONNECT line. */
    private void accept(long now) {
        for (int i = 0; i < ACCEPTS_PER_ROUND; i++) {
            SocketChannel host;
            try {
                host = listener.accept();
            } catch (IOException e) {
                // Out of descriptors, most likely: pause rather than spin on a listener that stays ready.
                listenerKey.interestOps(0);
                acceptPausedUntil = now + SWEEP_NANOS;
                return;
            }
            if (host == null) {
                return;
            }
            if (connections.size() + handshakes.size() >= limits.maxConnections()) {
                close(host);
                continue;
            }
            try {
                host.configureBlocking(false);
                HostHandshake h = new HostHandshake(host, host.register(selector, SelectionKey.OP_READ), now + limits.connectLineNanos());
                h.key.attach(h);
                handshakes.add(h);
                handshakeCount = handshakes.size();
            } catch (IOException e) {
                close(host);
            }
        }
    }

    /** A host socket's CONNECT line, or part of it, arrived: the connection starts with a REQUEST to the guest, or the socket is closed. */
    private void handshake(HostHandshake h, long now) {
        long port = h.read();
        if (port == HostHandshake.NOT_YET) {
            return;
        }
        handshakes.remove(h);
        handshakeCount = handshakes.size();
        if (port == HostHandshake.REFUSED || connections.size() >= limits.maxConnections()) {
            h.key.cancel();
            close(h.host);
            return;
        }
        int local = newHostPort((int) port);
        VsockConnection c = VsockConnection.fromHost(guestCid, local, (int) port, h.host, limits, now);
        c.key = h.key;
        c.key.attach(c);
        connections.put(c.key(), c);
        hostPorts.add(local);
        connectionCount = connections.size();
        changed(c, 0);
    }

    /** A local port for a host-initiated connection, from 2^30 to 2^31 - 1 as Firecracker's, in turn from a random start, not in use. */
    private int newHostPort(int peerPort) {
        do {
            lastHostPort = (lastHostPort + 1) & 0x3fffffff | 0x40000000;
        } while (hostPorts.contains(lastHostPort) || connections.containsKey(VsockConnection.key(lastHostPort, peerPort)));
        return lastHostPort;
    }

    /** Closes handshakes and resets connections past their deadlines; accepts again after a pause. */
    private void sweep(long now) {
        List<HostHandshake> expired = new ArrayList<>();
        for (HostHandshake h : handshakes) {
            if (now - h.deadline >= 0) {
                expired.add(h);
            }
        }
        handshakes.removeAll(expired);
        handshakeCount = handshakes.size(); // before the closes: a host program that sees its end sees the count without it
        for (HostHandshake h : expired) {
            h.key.cancel();
            close(h.host);
        }
        List<VsockConnection> late = new ArrayList<>();
        for (VsockConnection c : connections.values()) {
            if (c.deadline() != 0 && now - c.deadline() >= 0) {
                late.add(c);
            }
        }
        for (VsockConnection c : late) {
            int before = c.hostBoundBytes();
            c.expire(now);
            changed(c, before);
        }
        if (acceptPausedUntil != 0 && now - acceptPausedUntil >= 0) {
            acceptPausedUntil = 0;
            listenerKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void closeEverything() {
        for (VsockConnection c : connections.values()) {
            close(c.host);
        }
        for (HostHandshake h : handshakes) {
            close(h.host);
        }
        connections.clear();
        handshakes.clear();
        ready.clear();
        orphanCount = 0;
        connectionCount = 0;
        handshakeCount = 0;
        hostBoundBytes = 0;
        pending = 0;
        try {
            selector.close(); // deregisters the listener, which the device keeps
        } catch (IOException e) {
            // nothing is left to release
        }
    }

    private static void close(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closed all the same
            }
        }
    }
}
