// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import dev.vmm.core.virtio.DescriptorChain;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import static dev.vmm.core.virtio.vsock.VsockHeader.HOST_CID;
import static dev.vmm.core.virtio.vsock.VsockHeader.OP_CREDIT_REQUEST;
import static dev.vmm.core.virtio.vsock.VsockHeader.OP_CREDIT_UPDATE;
import static dev.vmm.core.virtio.vsock.VsockHeader.OP_REQUEST;
import static dev.vmm.core.virtio.vsock.VsockHeader.OP_RESPONSE;
import static dev.vmm.core.virtio.vsock.VsockHeader.OP_RW;
import static dev.vmm.core.virtio.vsock.VsockHeader.OP_SHUTDOWN;
import static dev.vmm.core.virtio.vsock.VsockHeader.SHUTDOWN_RCV;
import static dev.vmm.core.virtio.vsock.VsockHeader.SHUTDOWN_SEND;
import static dev.vmm.core.virtio.vsock.VsockHeader.TYPE_STREAM;

/**
 * One stream between a guest port and a host Unix socket: its state, both directions' credit
 * (virtio 1.2, 5.10.6.3) and the bytes from the guest that the host socket has not taken yet.
 * Only the muxer's thread touches it.
 *
 * <p><b>Guest to host.</b> The guest may have {@code bufAlloc} bytes in flight: sent, not yet
 * written to the host socket. Those wait in {@link #hostBound}, which holds nothing while the host
 * keeps up and never more than {@code bufAlloc}; a packet beyond the credit resets the connection.
 * A CREDIT_UPDATE goes out when the guest's view of the free space has fallen under a quarter of
 * it while the real free space is back above, so a guest that waits for credit always hears of it.
 *
 * <p><b>Host to guest.</b> Nothing is buffered: bytes are read from the host socket straight into
 * an RX buffer of the guest's, at most as many as the guest's credit allows, and only when there
 * is such a buffer. A guest with no credit left gets one CREDIT_REQUEST until it says more.
 *
 * <p><b>Ending.</b> Each direction ends on its own: guest to host on the guest's SHUTDOWN(SEND)
 * (the host socket's output is shut once the buffered bytes are out), host to guest on the host
 * socket's end of file (a SHUTDOWN(SEND) to the guest) or the guest's SHUTDOWN(RCV). Once both
 * have ended and the buffered bytes are out, the connection is reset (RST to the guest, the host
 * socket closed); buffered bytes that the host does not take within the close timeout are dropped
 * with a reset too. Anything the protocol does not allow resets it at once.
 */
final class VsockConnection {
    /** Where the handshake is. */
    enum State {
        /** The host connected: a REQUEST to the guest is due or sent, the guest's RESPONSE awaited. */
        HOST_INITIATED,
        /** The guest's REQUEST was accepted: the RESPONSE is due. */
        GUEST_INITIATED,
        /** Data may flow. */
        ESTABLISHED
    }

    // Control packets owed to the guest, one bit each: a flood of requests coalesces into one.
    private static final int SEND_REQUEST = 1, SEND_RESPONSE = 2, SEND_CREDIT_UPDATE = 4, SEND_CREDIT_REQUEST = 8;
    private static final int FIRST_BUFFER = 16 << 10;

    final int localPort;
    final int peerPort;
    final SocketChannel host;
    /** Whether the host asked for it (its local port is then one the device chose). */
    final boolean hostInitiated;
    private final long guestCid;
    private final VirtioVsock.Limits limits;
    SelectionKey key;
    /** In the muxer's queue of connections with something for the guest. */
    boolean queued;
    /** Taken out of the muxer's map: a stale queue entry is skipped. */
    boolean removed;

    private State state;
    private int owed;
    private String killed; // why the connection must be reset, or null

    // Host to guest.
    private boolean hostReadable; // the selector said the host socket has bytes or its end
    private boolean hostEnded;    // read the host socket's end of file: SHUTDOWN(SEND) owed or sent
    private boolean guestShutReceive;
    private boolean creditRequested;
    private int sentToGuest;      // rx_cnt: RW bytes sent, modulo 2^32
    private int guestBufAlloc;
    private int guestFwdCnt;

    // Guest to host.
    private ByteBuffer hostBound;  // bytes not yet written to the host socket, between position and limit; null when none
    private int forwarded;         // fwd_cnt: bytes written to the host socket, modulo 2^32
    private int forwardedTold;     // fwd_cnt as the guest last heard it
    private boolean guestShutSend;
    private boolean hostOutputShut;
    private long deadline;         // System.nanoTime() by which the handshake or the close must be done; 0 for none

    private VsockConnection(State state, long guestCid, int localPort, int peerPort, SocketChannel host, VirtioVsock.Limits limits) {
        this.state = state;
        this.hostInitiated = state == State.HOST_INITIATED;
        this.guestCid = guestCid;
        this.localPort = localPort;
        this.peerPort = peerPort;
        this.host = host;
        this.limits = limits;
    }

    /**
     * A connection the host asked for with CONNECT at {@code now}: a REQUEST to the guest's
     * {@code peerPort} is due, and the guest's RESPONSE within the request timeout (counted from
     * now, so that a guest that offers no RX buffer for the REQUEST runs out of time too).
     */
    static VsockConnection fromHost(long guestCid, int localPort, int peerPort, SocketChannel host, VirtioVsock.Limits limits, long now) {
        VsockConnection c = new VsockConnection(State.HOST_INITIATED, guestCid, localPort, peerPort, host, limits);
        c.owed = SEND_REQUEST;
        c.deadline = deadlineAfter(now, limits.requestNanos());
        return c;
    }

    /** A connection the guest asked for with {@code request}, its host socket connected: the RESPONSE is due. */
    static VsockConnection fromGuest(long guestCid, VsockHeader request, SocketChannel host, VirtioVsock.Limits limits) {
        VsockConnection c = new VsockConnection(State.GUEST_INITIATED, guestCid, request.dstPort(), request.srcPort(), host, limits);
        c.guestBufAlloc = request.bufAlloc();
        c.guestFwdCnt = request.fwdCnt();
        c.owed = SEND_RESPONSE;
        return c;
    }

    /** {@return the key of a connection between host port {@code localPort} and guest port {@code peerPort}} */
    static long key(int localPort, int peerPort) {
        return (long) localPort << 32 | Integer.toUnsignedLong(peerPort);
    }

    long key() {
        return key(localPort, peerPort);
    }

    State state() {
        return state;
    }

    /** {@return why the connection must be reset, or null while it lives} */
    String killed() {
        return killed;
    }

    /** Marks the connection for a reset: the muxer sends the RST and closes the host socket. */
    void kill(String reason) {
        if (killed == null) {
            killed = reason;
            hostBound = null;
        }
    }

    /** {@return the bytes from the guest that wait for the host socket} */
    int hostBoundBytes() {
        return hostBound == null ? 0 : hostBound.remaining();
    }

    long deadline() {
        return deadline;
    }

    /**
     * A packet from the guest for this connection, its header checked by the muxer (CIDs, type,
     * a length that the chain holds and at most the largest packet); an RST is the muxer's.
     *
     * @param header the packet's header, read once
     * @param chain the chain, whose payload follows the header
     * @param staging the muxer's buffer for a payload, at least {@code header.length()} bytes
     * @param now the time, for deadlines
     */
    void fromGuest(VsockHeader header, DescriptorChain chain, ByteBuffer staging, long now) {
        guestBufAlloc = header.bufAlloc();
        guestFwdCnt = header.fwdCnt();
        creditRequested = false;
        switch (state) {
            case HOST_INITIATED -> {
                if (header.op() != OP_RESPONSE) {
                    kill("op " + header.op() + " before the guest's RESPONSE");
                    return;
                }
                state = State.ESTABLISHED;
                deadline = 0;
                okToHost();
            }
            case GUEST_INITIATED -> {
                if (header.op() != OP_CREDIT_UPDATE && header.op() != OP_CREDIT_REQUEST) {
                    kill("op " + header.op() + " before the device's RESPONSE");
                } else if (header.op() == OP_CREDIT_REQUEST) {
                    owed |= SEND_CREDIT_UPDATE;
                }
            }
            case ESTABLISHED -> {
                switch (header.op()) {
                    case OP_RW -> toHost(header.length(), chain, staging);
                    case OP_SHUTDOWN -> {
                        guestShutReceive |= (header.flags() & SHUTDOWN_RCV) != 0;
                        guestShutSend |= (header.flags() & SHUTDOWN_SEND) != 0;
                    }
                    case OP_CREDIT_UPDATE -> {
                        // the credit was taken above
                    }
                    case OP_CREDIT_REQUEST -> owed |= SEND_CREDIT_UPDATE;
                    default -> kill("op " + header.op() + " on an established connection");
                }
            }
        }
        settle(now);
    }

    /** The host accepted "OK port\n": written straight, a fresh socket always has room for it. */
    private void okToHost() {
        ByteBuffer ok = ByteBuffer.wrap(("OK " + Integer.toUnsignedString(localPort) + "\n").getBytes(StandardCharsets.US_ASCII));
        try {
            host.write(ok);
            if (ok.hasRemaining()) {
                kill("the host socket took only part of the OK line");
            }
        } catch (IOException e) {
            kill("the host socket failed: " + e.getMessage());
        }
    }

    private void toHost(int length, DescriptorChain chain, ByteBuffer staging) {
        if (guestShutSend) {
            kill("data after the guest's SHUTDOWN(SEND)");
            return;
        }
        if (length == 0) {
            return;
        }
        if ((long) hostBoundBytes() + length > Integer.toUnsignedLong(limits.bufAlloc())) {
            kill("the guest sent " + length + " bytes with " + (limits.bufAlloc() - hostBoundBytes()) + " of credit");
            return;
        }
        staging.clear().limit(length);
        chain.read(VsockHeader.SIZE, staging);
        staging.flip();
        try {
            if (hostBound == null) {
                forwarded += host.write(staging); // the usual case: straight through
            }
        } catch (IOException e) {
            kill("the host socket failed: " + e.getMessage());
            return;
        }
        if (staging.hasRemaining()) {
            keep(staging);
        }
    }

    /** Appends the rest of {@code bytes} to {@link #hostBound}, which grows to at most bufAlloc (checked by the caller). */
    private void keep(ByteBuffer bytes) {
        int needed = hostBoundBytes() + bytes.remaining();
        if (hostBound == null || hostBound.capacity() < needed) {
            int capacity = Math.min(limits.bufAlloc(), Math.max(needed, Math.max(FIRST_BUFFER, hostBound == null ? 0 : 2 * hostBound.capacity())));
            ByteBuffer grown = ByteBuffer.allocate(capacity);
            if (hostBound != null) {
                grown.put(hostBound);
            }
            hostBound = grown.flip();
        }
        hostBound.compact().put(bytes).flip();
    }

    /** The host socket can take bytes: writes what waits for it. */
    void hostWritable(long now) {
        if (hostBound != null) {
            try {
                forwarded += host.write(hostBound);
            } catch (IOException e) {
                kill("the host socket failed: " + e.getMessage());
                return;
            }
            if (!hostBound.hasRemaining()) {
                hostBound = null;
            }
        }
        settle(now);
    }

    /** The selector says the host socket has bytes, or its end of file. */
    void hostReadable() {
        hostReadable = true;
    }

    /**
     * What follows from the last change: the host output shut once the guest's data is out, a
     * reset when both directions ended, the credit packets owed, the close deadline.
     */
    private void settle(long now) {
        if (killed != null) {
            return;
        }
        if (guestShutSend && hostBound == null && !hostOutputShut) {
            hostOutputShut = true;
            try {
                host.shutdownOutput();
            } catch (IOException e) {
                // the host closed its socket already: nothing more to tell it
            }
        }
        if (guestShutSend && (hostEnded || guestShutReceive)) {
            if (hostBound == null) {
                kill("both directions ended");
                return;
            }
            if (deadline == 0) {
                deadline = deadlineAfter(now, limits.closeNanos());
            }
        }
        int free = limits.bufAlloc() - hostBoundBytes();
        int freeAsTold = limits.bufAlloc() - (hostBoundBytes() + (forwarded - forwardedTold));
        if (state == State.ESTABLISHED && !guestShutSend && freeAsTold < limits.bufAlloc() / 4 && free >= limits.bufAlloc() / 4) {
            owed |= SEND_CREDIT_UPDATE;
        }
        if (hostReadable && guestCredit() == 0 && !creditRequested && sendsToGuest()) {
            creditRequested = true;
            owed |= SEND_CREDIT_REQUEST;
        }
    }

    /** Called by the muxer on its sweeps: a handshake or a close that took too long. */
    void expire(long now) {
        if (deadline != 0 && now - deadline >= 0) {
            kill(state == State.HOST_INITIATED ? "the guest did not answer the REQUEST in time" : "the host did not take the last bytes in time");
        }
    }

    /** Moves the deadline, if any, {@code nanos} later: the time the device was paused for a snapshot does not count. */
    void postpone(long nanos) {
        if (deadline != 0) {
            deadline = deadlineAfter(deadline, nanos);
        }
    }

    private static long deadlineAfter(long now, long nanos) {
        long d = now + nanos;
        return d == 0 ? 1 : d;
    }

    /** {@return how many bytes the guest can take: its buffer less what it has not forwarded, never below 0} */
    long guestCredit() {
        long inFlight = Integer.toUnsignedLong(sentToGuest - guestFwdCnt);
        return Math.max(0, Integer.toUnsignedLong(guestBufAlloc) - inFlight);
    }

    private boolean sendsToGuest() {
        return state == State.ESTABLISHED && !hostEnded && !guestShutReceive;
    }

    private boolean dataReady() {
        return hostReadable && sendsToGuest() && guestCredit() > 0;
    }

    /** {@return whether the connection has a packet for the guest (the muxer then queues it)} */
    boolean hasWork() {
        return killed == null && (owed != 0 || dataReady());
    }

    /** {@return the selection interest: reading while bytes may go to the guest and none is waiting, writing while bytes wait for the host} */
    int interestOps() {
        if (killed != null) {
            return 0;
        }
        return (sendsToGuest() && !hostReadable ? SelectionKey.OP_READ : 0) | (hostBound != null ? SelectionKey.OP_WRITE : 0);
    }

    /**
     * Puts the next packet for the guest into {@code chain}: a control packet, or data read from
     * the host socket into {@code staging} and then the chain.
     *
     * @param chain an RX chain with room for at least the header
     * @param header the muxer's bytes for a header
     * @param staging the muxer's buffer for a payload, at least the largest packet
     * @param now the time, for deadlines
     * @return the bytes written to the chain, 0 when there was nothing after all (the host socket had no bytes)
     */
    int toGuest(DescriptorChain chain, byte[] header, ByteBuffer staging, long now) {
        int op;
        int flags = 0;
        int length = 0;
        if ((owed & SEND_REQUEST) != 0) {
            owed &= ~SEND_REQUEST;
            op = OP_REQUEST;
        } else if ((owed & SEND_RESPONSE) != 0) {
            owed &= ~SEND_RESPONSE;
            op = OP_RESPONSE;
            state = State.ESTABLISHED;
        } else if (dataReady() && chain.writableLength() == VsockHeader.SIZE) {
            op = OP_CREDIT_UPDATE; // a buffer with no room for data: a packet that is always right, and on to the next buffer
        } else if (dataReady()) {
            long room = Math.min(chain.writableLength() - VsockHeader.SIZE, Math.min(guestCredit(), VirtioVsock.MAX_PACKET));
            staging.clear().limit((int) room);
            int read;
            try {
                read = host.read(staging);
            } catch (IOException e) {
                kill("the host socket failed: " + e.getMessage());
                return 0;
            }
            if (read == 0) {
                hostReadable = false; // a spurious wake-up: wait for the selector again
                settle(now);
                return owed != 0 ? toGuest(chain, header, staging, now) : 0; // a credit packet, if one is owed
            }
            if (read < 0) {
                hostReadable = false;
                hostEnded = true;
                op = OP_SHUTDOWN;
                flags = SHUTDOWN_SEND;
            } else {
                op = OP_RW;
                length = read;
                sentToGuest += read;
                chain.write(VsockHeader.SIZE, staging.flip());
            }
        } else if ((owed & SEND_CREDIT_REQUEST) != 0) {
            owed &= ~SEND_CREDIT_REQUEST;
            op = OP_CREDIT_REQUEST;
        } else if ((owed & SEND_CREDIT_UPDATE) != 0) {
            op = OP_CREDIT_UPDATE;
        } else {
            return 0;
        }
        owed &= ~SEND_CREDIT_UPDATE; // every packet tells the guest fwd_cnt
        forwardedTold = forwarded;
        new VsockHeader(HOST_CID, guestCid, localPort, peerPort, length, TYPE_STREAM, op, flags, limits.bufAlloc(), forwarded).encode(header);
        chain.write(0, header);
        settle(now);
        return VsockHeader.SIZE + length;
    }

    @Override
    public String toString() {
        return "vsock connection host port " + Integer.toUnsignedString(localPort) + " <-> guest port " + Integer.toUnsignedString(peerPort) + " (" + state + ")";
    }
}
